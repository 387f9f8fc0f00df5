// Before and after in the same run: the callback path of another git revision (default HEAD, the
// last commit) beside the working tree, on the same database, alternating, at concurrency 50.
// Usage: npx tsx bench/compare.ts [--rev <git revision>] [--callbacks 2000] [--rounds 2]
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { benchEnv, report, startService } from './lib.js'
import { postCallbacks, seed, summary } from './seed.js'

const { values: args } = parseArgs({
  options: {
    rev: { type: 'string', default: 'HEAD' },
    callbacks: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
  },
})
const rev = execFileSync('git', ['rev-parse', '--short', String(args.rev)])
  .toString()
  .trim()
const before = join(tmpdir(), `sms-before-${rev}`)
if (!existsSync(before)) {
  execFileSync('git', ['worktree', 'add', '--detach', before, rev], { stdio: 'ignore' })
  symlinkSync(resolve('node_modules'), join(before, 'node_modules'))
  cpSync('src/generated', join(before, 'src/generated'), { recursive: true })
}
const N = Number(args.callbacks)
const ROUNDS = Number(args.rounds)
const { url } = await benchEnv()
const callbackUrl = `${url}/webhooks/twilio/status`
const data = await seed(N * ROUNDS * 2)

async function ingest(script: string, sids: string[]) {
  const service = await startService({ LOG_LEVEL: 'info' }, script)
  const r = await postCallbacks(callbackUrl, data, sids)
  service.proc.kill('SIGTERM')
  await service.exited
  const { errors: _errors, ...figures } = summary(r)
  return figures
}

const rows: Record<string, unknown>[] = []
for (let round = 0; round < ROUNDS; round++) {
  const slice = (k: number) => data.sids.slice((round * 2 + k) * N, (round * 2 + k + 1) * N)
  rows.push({ round, code: `before (${rev})`, ...(await ingest(join(before, 'src/main.ts'), slice(0))) })
  rows.push({ round, code: 'after (working tree)', ...(await ingest('src/main.ts', slice(1))) })
}
report('compare-callbacks', rows, { rev, callbacks: N })
await data.db.$disconnect()
