// sendSms through TWILIO to the local Twilio double at concurrency 1, 10 and 50, beside a baseline
// that does the bare minimum for the same work. Usage: npm run bench:send [-- --requests 300]
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { report, startService, statementsRun } from './lib.js'
import { sendingBench, sendLoad, summary } from './seed.js'

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '1,10,50' } },
})
const REQUESTS = Number(args.requests)
const LEVELS = String(args.concurrency).split(',').map(Number)

const bench = await sendingBench()
const { double, url, data, actionId } = bench

let n = 0
async function baselineLoad(connections: number, amount: number) {
  return autocannon({
    url,
    method: 'POST',
    connections,
    amount,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ callId: `base-${n++}`, body: 'Your table is booked.' }) }) }],
  })
}

const rows: Record<string, unknown>[] = []
for (const c of LEVELS) {
  const service = await startService()
  const amount = Math.max(REQUESTS, c * 10)
  const before = await statementsRun(url)
  const svc = summary(await sendLoad(url, bench, c, amount))
  const perSend = ((await statementsRun(url)) - before) / amount
  service.proc.kill('SIGTERM')
  await service.exited
  const baseline = await startService(
    {
      BENCH_ACCOUNT_SID: data.accountSid,
      BENCH_TWILIO_TOKEN: data.token,
      BENCH_USER_ID: data.userId,
      BENCH_ACTION_ID: actionId,
      BENCH_CAMPAIGN_ID: data.campaignId,
    },
    'bench/baseline-send.ts',
  )
  const base = summary(await baselineLoad(c, amount))
  baseline.proc.kill('SIGTERM')
  await baseline.exited
  rows.push({ concurrency: c, ...Object.fromEntries(Object.entries(svc).map(([k, v]) => [`service ${k}`, v])) })
  rows.push({ concurrency: c, ...Object.fromEntries(Object.entries(base).map(([k, v]) => [`baseline ${k}`, v])) })
  rows.push({
    concurrency: c,
    'p50 ratio': Number((svc['p50 ms'] / base['p50 ms']).toFixed(2)),
    'p99 ratio': Number((svc['p99 ms'] / base['p99 ms']).toFixed(2)),
    'throughput ratio': Number((base['req/s'] / svc['req/s']).toFixed(2)),
    'statements per send': Number(perSend.toFixed(1)),
  })
}
report('send', rows, { requests: REQUESTS, target: 'service within 1.5x of the baseline' })
const created = double.messageCreates().length
console.log(`provider requests received by the double: ${created}`)
await data.db.$disconnect()
await double.close()
