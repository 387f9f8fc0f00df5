// npm run bench: every benchmark in turn, each against its baseline in the same run.
// On PostgreSQL (+ Redis for the service): BENCH_DATABASE_URL=postgres://… BENCH_REDIS_URL=redis://… npm run bench
import { spawnSync } from 'node:child_process'

const steps: [string, string[]][] = [
  ['bench/send.ts', ['--requests', '300']],
  ['bench/callbacks.ts', ['--callbacks', '12000', '--subscribers', '100,1000', '--events', '30']],
  ['bench/reads.ts', []],
  ['bench/statements.ts', []],
]
const started = Date.now()
let failed = 0
for (const [script, args] of steps) {
  console.log(`\n== ${script} ${args.join(' ')}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit', env: process.env })
  if (r.status !== 0) failed++
}
console.log(`\nbenchmarks done in ${Math.round((Date.now() - started) / 1000)} s${failed ? `, ${failed} failed` : ''}`)
process.exit(failed ? 1 : 0)
