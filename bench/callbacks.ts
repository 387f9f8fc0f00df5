// Callback ingestion (signed callbacks/s at concurrency 50, beside a bare baseline handler) and
// callback-to-subscriber latency with open graphql-ws subscribers.
// Usage: npm run bench:callbacks [-- --callbacks 3000 --subscribers 100,1000 --events 50]
import { parseArgs } from 'node:util'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { benchEnv, percentile, report, serviceHeap, startService } from './lib.js'
import { postCallbacks, seed, signedCallback, summary } from './seed.js'

const { values: args } = parseArgs({
  options: {
    callbacks: { type: 'string', default: '3000' },
    subscribers: { type: 'string', default: '1000' },
    events: { type: 'string', default: '50' },
    connections: { type: 'string', default: '50' },
    sse: { type: 'string', default: '1000' },
  },
})
const CALLBACKS = Number(args.callbacks)
const SUBSCRIBER_SIZES = String(args.subscribers).split(',').map(Number)
const EVENTS = Number(args.events)
const SSE_SIZES = String(args.sse).split(',').filter(Boolean).map(Number)
const CONNECTIONS = Number(args.connections)

const { url } = await benchEnv()
const callbackUrl = `${url}/webhooks/twilio/status`
// Each size first gets WARMUP unmeasured events (the server's JIT warms up on the new code paths).
const WARMUP = 5
const fanoutDeliveries = (EVENTS + WARMUP) * (SUBSCRIBER_SIZES.length + SSE_SIZES.length)
const data = await seed(CALLBACKS * 2 + fanoutDeliveries)
const forService = data.sids.slice(0, CALLBACKS)
const forBaseline = data.sids.slice(CALLBACKS, CALLBACKS * 2)
const forFanout = data.sids.slice(CALLBACKS * 2)

async function ingest(target: string, sids: string[]) {
  const { errors, ...figures } = summary(await postCallbacks(target, data, sids, { connections: CONNECTIONS }))
  return { ...figures, errors }
}

// 1. Ingestion: the service, then the baseline, on the same machine in the same run.
const service = await startService({ RECONCILE_INTERVAL_MS: '0' })
const svc = await ingest(callbackUrl, forService)
const moved = await data.db.smsDelivery.count({ where: { status: 'SENT' } })
service.proc.kill('SIGTERM')
await service.exited
const baseline = await startService({ BENCH_TWILIO_TOKEN: data.token }, 'bench/baseline-callback.ts')
const base = await ingest(callbackUrl, forBaseline)
baseline.proc.kill('SIGTERM')
await baseline.exited
report(
  'callback-ingestion',
  [
    { handler: 'service (verify, lookup, forward-only update, event, publish)', ...svc, applied: moved },
    { handler: 'baseline (verify, one update)', ...base },
    { handler: 'ratio service/baseline', 'req/s': Number((svc['req/s'] / base['req/s']).toFixed(2)) },
  ],
  { callbacks: CALLBACKS, connections: CONNECTIONS },
)

// 2. Fan-out: callback-to-subscriber latency with N open graphql-ws subscribers.
const fanoutRows: Record<string, unknown>[] = []
const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
const server = await startService({ RECONCILE_INTERVAL_MS: '0' }, undefined, [
  '--expose-gc',
  '--import',
  './bench/gc-on-sigusr2.mjs',
  ...profile,
])
const heap = async () => {
  server.proc.kill('SIGUSR2')
  await new Promise((r) => setTimeout(r, 300))
  return serviceHeap(url)
}
let offset = 0
const SUBSCRIPTION = `subscription($c: ID!) { smsDeliveryUpdated(campaignId: $c) { delivery { providerMessageId status } } }`
type Arrivals = Map<string, number[]>
const arrived = (arrivals: Arrivals, payload: unknown) => {
  const sid = (payload as { data: { smsDeliveryUpdated: { delivery: { providerMessageId: string } } } }).data.smsDeliveryUpdated.delivery
    .providerMessageId
  const list = arrivals.get(sid) ?? []
  list.push(performance.now())
  arrivals.set(sid, list)
}

async function openWs(arrivals: Arrivals): Promise<() => Promise<void>> {
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${data.key}` },
    retryAttempts: 0,
  })
  await new Promise<void>((ready) => {
    let first = true
    client.subscribe(
      { query: SUBSCRIPTION, variables: { c: data.campaignId } },
      { next: (v) => arrived(arrivals, v), error: () => ready(), complete: () => ready() },
    )
    client.on('connected', () => {
      if (first) ready()
      first = false
    })
  })
  return async () => client.dispose() as Promise<void>
}

async function openSse(arrivals: Arrivals): Promise<() => Promise<void>> {
  const abort = new AbortController()
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${data.key}` },
    body: JSON.stringify({ query: SUBSCRIPTION, variables: { c: data.campaignId } }),
    signal: abort.signal,
  })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  void (async () => {
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const line = block.split('\n').find((l) => l.startsWith('data:'))
        if (line && /^event: ?next/m.test(block)) arrived(arrivals, JSON.parse(line.slice(5)))
      }
    }
  })()
  return async () => abort.abort()
}

const runs = [
  ...SUBSCRIBER_SIZES.map((size) => ({ size, transport: 'graphql-ws' })),
  ...SSE_SIZES.map((size) => ({ size, transport: 'SSE' })),
]
for (const { size, transport } of runs) {
  const heapBefore = await heap()
  const arrivals: Arrivals = new Map()
  const open = transport === 'SSE' ? openSse : openWs
  const clients: (() => Promise<void>)[] = []
  for (let k = 0; k < size; k += 100)
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, size - k) }, () => open(arrivals)))))
  await new Promise((r) => setTimeout(r, 500))
  const heapAfter = await heap()
  const sent = new Map<string, number>()
  const warmup = new Set(forFanout.slice(offset, offset + WARMUP))
  for (const sid of forFanout.slice(offset, offset + WARMUP + EVENTS)) {
    const cb = signedCallback(callbackUrl, data.token, data.accountSid, sid, 'delivered')
    if (!warmup.has(sid)) sent.set(sid, performance.now())
    const res = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': cb.signature },
      body: cb.body,
    })
    if (res.status !== 200) throw new Error(`callback answered ${res.status}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  offset += WARMUP + EVENTS
  await new Promise((r) => setTimeout(r, 1000))
  const latencies: number[] = []
  let missing = 0
  for (const [sid, t0] of sent) {
    const got = arrivals.get(sid) ?? []
    missing += size - got.length
    for (const t of got) latencies.push(t - t0)
  }
  fanoutRows.push({
    transport,
    subscribers: size,
    events: EVENTS,
    'p50 ms': Number(percentile(latencies, 50).toFixed(1)),
    'p99 ms': Number(percentile(latencies, 99).toFixed(1)),
    missing,
    'heap KB/sub': Number(((heapAfter - heapBefore) / size / 1024).toFixed(1)),
  })
  await Promise.all(clients.map((dispose) => dispose()))
  await new Promise((r) => setTimeout(r, 500))
}
server.proc.kill('SIGTERM')
await server.exited
report('callback-fanout', fanoutRows)
await data.db.$disconnect()
