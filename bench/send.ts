// sendSms through TWILIO to the local Twilio double at concurrency 1, 10 and 50, beside a baseline
// on the bare drivers doing the minimum for the same request bytes (bench/baseline-send.ts). Both
// run at once; after a warm-up, rounds alternate service and baseline. Each send is a call and a
// caller of its own, with an idempotency key. Usage: npm run bench:send [-- --requests 300 --rounds 3]
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { freePort } from '../harness/net.js'
import { cpuPerOperation, percentile, report, startService, statementsRun } from './lib.js'
import { sendingBench, sendLoad, summary } from './seed.js'

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '1,10' },
    rounds: { type: 'string', default: '3' },
  },
})
const REQUESTS = Number(args.requests)
const LEVELS = String(args.concurrency).split(',').map(Number)
const ROUNDS = Number(args.rounds)

const bench = await sendingBench()
const { double, url, data, actionId } = bench
const service = await startService()
const basePort = await freePort()
const baseline = await startService(
  {
    PORT: String(basePort),
    BENCH_ACCOUNT_SID: data.accountSid,
    BENCH_TWILIO_TOKEN: data.token,
  },
  'bench/baseline-send.ts',
)
const baseUrl = `http://127.0.0.1:${basePort}`
void actionId

/** One measured run against `target`: latency figures, and CPU ms per send of its process. */
async function measure(target: string, pid: number, connections: number, amount: number) {
  if (!existsSync(`/proc/${pid}`)) throw new Error(`process ${pid} is gone:\n${[service, baseline].map((p) => p.output()).join('\n')}`)
  const [figures, cpu] = await cpuPerOperation(pid, amount, async () => summary(await sendLoad(target, bench, connections, amount)))
  return { ...figures, cpu }
}

const rows: Record<string, unknown>[] = []
for (const c of LEVELS) {
  const amount = Math.max(Math.round(REQUESTS / ROUNDS), c * 10)
  await sendLoad(url, bench, c, 50)
  await sendLoad(baseUrl, bench, c, 50)
  const svc: Awaited<ReturnType<typeof measure>>[] = []
  const base: Awaited<ReturnType<typeof measure>>[] = []
  let statements = 0
  for (let r = 0; r < ROUNDS; r++) {
    const before = await statementsRun(url)
    svc.push(await measure(url, service.proc.pid as number, c, amount))
    statements += (await statementsRun(url)) - before
    base.push(await measure(baseUrl, baseline.proc.pid as number, c, amount))
  }
  const median = (list: { [k: string]: number }[], k: string) =>
    percentile(
      list.map((x) => x[k] as number),
      50,
    )
  const row = (who: string, list: typeof svc) => ({
    concurrency: c,
    who,
    'p50 ms': median(list, 'p50 ms'),
    'p99 ms': median(list, 'p99 ms'),
    'req/s': median(list, 'req/s'),
    'CPU ms/send': Number(median(list, 'cpu').toFixed(2)),
    errors: list.reduce((n, x) => n + x.errors + x.non2xx, 0),
  })
  const s = row('service', svc)
  const b = row('baseline (bare drivers)', base)
  rows.push(s, b, {
    concurrency: c,
    who: 'ratio service/baseline',
    'p50 ms': Number((s['p50 ms'] / b['p50 ms']).toFixed(2)),
    'p99 ms': Number((s['p99 ms'] / b['p99 ms']).toFixed(2)),
    'req/s': Number((s['req/s'] / b['req/s']).toFixed(2)),
    'CPU ms/send': Number((s['CPU ms/send'] / b['CPU ms/send']).toFixed(2)),
    errors: `statements per send: ${(statements / (amount * ROUNDS)).toFixed(1)}`,
  })
}
for (const p of [service, baseline]) p.proc.kill('SIGTERM')
await Promise.all([service.exited, baseline.exited])
report('send', rows, { requests: REQUESTS, rounds: ROUNDS, target: 'p50 ≤ 1.5× the bare baseline (≤ 2× on PostgreSQL + Redis)' })
console.log(`provider requests received by the double: ${double.messageCreates().length}`)
await data.db.$disconnect()
await double.close()
process.exit(0)
