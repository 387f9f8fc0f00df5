// One hostile client sends the most expensive query the limits allow, in a loop, while an agent's
// previewSms is timed: p50/p99 without and with the hostile client, in the same run, and the
// service's peak resident memory. Usage: npx tsx bench/hostile.ts [--seconds 30] [--connections 4]
import { parseArgs } from 'node:util'
import { generateApiKey } from '../src/auth.js'
import { percentile, report, startService } from './lib.js'
import { sendingBench } from './seed.js'

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '30' }, connections: { type: 'string', default: '4' } },
})
const SECONDS = Number(args.seconds)

const bench = await sendingBench()
const { url, data, actionId } = bench
// Deliveries with events for the hostile query to read: pages of 100, every field.
await seedDeliveries(300)
const hostileKey = generateApiKey('hostile', 'MONITOR')
await data.db.apiKey.create({ data: { userId: data.userId, ...hostileKey.stored } })
// The service with its default limits (benchEnv lifts them for the throughput benchmarks).
const service = await startService({ KEY_REQUESTS_PER_SECOND: '50', KEY_QUERY_COST_PER_SECOND: '50000' })

// Near GRAPHQL_MAX_COMPLEXITY (20,000): a page of 100 deliveries, each with its events, action and campaign.
const HOSTILE = `{ smsDeliveries(first: 100) { pageInfo { hasNextPage endCursor } edges { cursor node {
  id callId to body provider status providerMessageId segments encoding errorCode errorMessage sandbox createdAt updatedAt
  events { status at errorCode source }
  smsAction { id name description provider fromNumber recipientPolicy messageTemplate maxPerCall enabled createdAt updatedAt }
  campaign { id name createdAt updatedAt } } } } }`
const PREVIEW = `mutation($input: SendSmsInput!) { previewSms(input: $input) { __typename ... on PreviewSmsSuccess { to segments } ... on SendSmsError { code } } }`
const post = (query: string, variables: Record<string, unknown>, key: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  })

const check = await (await post(HOSTILE, {}, hostileKey.key)).json()
if (check.errors) throw new Error(`the hostile query is refused: ${JSON.stringify(check.errors)}`)
// What one hostile query costs the service, alone: the time it holds the event loop.
const single: number[] = []
for (let i = 0; i < 10; i++) {
  const started = performance.now()
  await (await post(HOSTILE, {}, hostileKey.key)).json()
  single.push(performance.now() - started)
  await new Promise((r) => setTimeout(r, 1000))
}

let peakRss = 0
const sampler = setInterval(async () => {
  const text = await (await fetch(`${url}/metrics`)).text().catch(() => '')
  peakRss = Math.max(peakRss, Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0))
}, 250)

/** previewSms every 50 ms (an agent's key stays within its request budget) for `seconds`; the latencies in ms. */
async function previews(seconds: number): Promise<number[]> {
  const times: number[] = []
  const end = Date.now() + seconds * 1000
  for (let n = 0; Date.now() < end; n++) {
    const started = performance.now()
    const input = {
      campaignId: data.campaignId,
      smsActionId: actionId,
      call: { callId: `p-${n}`, customerPhoneNumber: '+14155550123' },
      body: 'Your table is booked.',
    }
    const body = await (await post(PREVIEW, { input }, bench.agentKey)).json()
    if (body.data?.previewSms?.__typename !== 'PreviewSmsSuccess') throw new Error(JSON.stringify(body))
    times.push(performance.now() - started)
    await new Promise((r) => setTimeout(r, Math.max(0, 50 - (performance.now() - started))))
  }
  return times
}

let hostile = 0
let refused = 0
async function hostileLoop(until: number) {
  while (Date.now() < until) {
    const body = await (await post(HOSTILE, {}, hostileKey.key)).json()
    if (body.errors?.[0]?.extensions?.code === 'RATE_LIMITED') refused++
    else hostile++
  }
}

const calm = await previews(Math.min(15, SECONDS))
const calmRss = peakRss
const until = Date.now() + SECONDS * 1000
const attackers = Array.from({ length: Number(args.connections) }, () => hostileLoop(until))
const underAttack = await previews(SECONDS)
await Promise.all(attackers)
clearInterval(sampler)
const row = (phase: string, t: number[]) => ({
  phase,
  previews: t.length,
  'p50 ms': +percentile(t, 50).toFixed(1),
  'p99 ms': +percentile(t, 99).toFixed(1),
})
const [alone, attacked] = [row('alone', calm), row('with the hostile client', underAttack)]
const rows = [alone, attacked]
const ratio = { p50: +(attacked['p50 ms'] / alone['p50 ms']).toFixed(2), p99: +(attacked['p99 ms'] / alone['p99 ms']).toFixed(2) }
report('hostile', rows, {
  ratio,
  hostileQueriesServed: hostile,
  hostileQueriesRefused: refused,
  peakRssMb: Math.round(peakRss / 1e6),
  hostileQueryAloneP50Ms: +percentile(single, 50).toFixed(1),
  rssBeforeAttackMb: Math.round(calmRss / 1e6),
})
console.log(
  `ratio p50 ${ratio.p50}×, p99 ${ratio.p99}× (target ≤ 2×); hostile served ${hostile}, refused ${refused}; peak RSS ${Math.round(peakRss / 1e6)} MB`,
)
service.proc.kill('SIGTERM')
await service.exited
await data.db.$disconnect()
await bench.double.close()

async function seedDeliveries(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({
    userId: data.userId,
    smsActionId: actionId,
    campaignId: data.campaignId,
    callId: `seed-${i}`,
    to: '+14155550123',
    body: 'Your table for two is booked for 7pm; reply to change it.',
    provider: 'TWILIO' as const,
    status: 'DELIVERED' as const,
    segments: 1,
    encoding: 'GSM7' as const,
  }))
  await data.db.smsDelivery.createMany({ data: rows })
  const ids = await data.db.smsDelivery.findMany({ where: { userId: data.userId }, select: { id: true } })
  const events = ids.flatMap(({ id }) =>
    (['PENDING', 'QUEUED', 'SENT', 'DELIVERED'] as const).map((status) => ({ deliveryId: id, status, source: 'API' })),
  )
  await data.db.smsDeliveryEvent.createMany({ data: events })
}
