// sendSms through TWILIO to the local Twilio double at concurrency 1, 10 and 50, beside a baseline
// that does the bare minimum for the same work. Usage: npm run bench:send [-- --requests 300]
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { report, startService, statementsRun } from './lib.js'
import { sendingBench, summary } from './seed.js'

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '1,10,50' } },
})
const REQUESTS = Number(args.requests)
const LEVELS = String(args.concurrency).split(',').map(Number)

const { double, url, data, actionId, agentKey } = await sendingBench()
const ids = { id: actionId }
const agent = { key: agentKey }

const SEND = `mutation($input: SendSmsInput!) { sendSms(input: $input) { __typename ... on SendSmsSuccess { delivery { id status } } ... on Error { code } } }`
let n = 0
async function load(target: string, connections: number, body: () => string, headers: Record<string, string>) {
  const r = await autocannon({
    url: target,
    method: 'POST',
    connections,
    amount: Math.max(REQUESTS, connections * 10),
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  })
  return summary(r)
}
const serviceBody = () =>
  JSON.stringify({
    query: SEND,
    variables: {
      input: {
        campaignId: data.campaignId,
        smsActionId: ids.id,
        call: { callId: `bench-${n++}`, customerPhoneNumber: '+14155550123' },
        body: 'Your table is booked.',
      },
    },
  })
const baselineBody = () => JSON.stringify({ callId: `base-${n++}`, body: 'Your table is booked.' })

const rows: Record<string, unknown>[] = []
for (const c of LEVELS) {
  const service = await startService()
  const before = await statementsRun(url)
  const svc = await load(`${url}/graphql`, c, serviceBody, { authorization: `Bearer ${agent.key}` })
  const perSend = ((await statementsRun(url)) - before) / Math.max(REQUESTS, c * 10)
  service.proc.kill('SIGTERM')
  await service.exited
  const baseline = await startService(
    {
      BENCH_ACCOUNT_SID: data.accountSid,
      BENCH_TWILIO_TOKEN: data.token,
      BENCH_USER_ID: data.userId,
      BENCH_ACTION_ID: ids.id,
      BENCH_CAMPAIGN_ID: data.campaignId,
    },
    'bench/baseline-send.ts',
  )
  const base = await load(url, c, baselineBody, {})
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
