// Callback ingestion (signed callbacks/s at concurrency 50, beside a bare baseline handler) and
// callback-to-subscriber latency with open graphql-ws subscribers.
// Usage: npm run bench:callbacks [-- --callbacks 12000 --subscribers 100,1000 --events 50]
import { parseArgs } from 'node:util'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { freePort } from '../harness/net.js'
import { benchEnv, cpuPerOperation, percentile, report, serviceHeap, startService } from './lib.js'
import { postCallbacks, seed, signedCallback, summary } from './seed.js'

const { values: args } = parseArgs({
  options: {
    callbacks: { type: 'string', default: '12000' },
    subscribers: { type: 'string', default: '1000' },
    events: { type: 'string', default: '50' },
    connections: { type: 'string', default: '50' },
    sse: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
  },
})
const ROUNDS = Number(args.rounds)
const CALLBACKS = Number(args.callbacks)
const SUBSCRIBER_SIZES = String(args.subscribers).split(',').map(Number)
const EVENTS = Number(args.events)
const SSE_SIZES = String(args.sse).split(',').filter(Boolean).map(Number)
const CONNECTIONS = Number(args.connections)

const { url } = await benchEnv()
const callbackUrl = `${url}/webhooks/twilio/status`
// Each size first gets WARMUP unmeasured events (the server's JIT warms up on the new code paths).
const WARMUP = 5
// graphql-ws runs twice per size (one key shared, a key each), SSE once.
const fanoutDeliveries = (EVENTS + WARMUP) * (2 * SUBSCRIBER_SIZES.length + SSE_SIZES.length)
const data = await seed(CALLBACKS * 2 + fanoutDeliveries)
const forService = data.sids.slice(0, CALLBACKS)
const forBaseline = data.sids.slice(CALLBACKS, CALLBACKS * 2)
const forFanout = data.sids.slice(CALLBACKS * 2)

/** One measured run of signed callbacks against `target`, and CPU ms per callback of its process. */
async function ingest(target: string, pid: number, sids: string[]) {
  const [{ errors, ...figures }, cpu] = await cpuPerOperation(pid, sids.length, async () =>
    summary(await postCallbacks(target, data, sids, { connections: CONNECTIONS })),
  )
  return { ...figures, errors, cpu }
}

// 1. Ingestion: the service and the bare baseline at once; after a warm-up, rounds alternate.
const service = await startService({ RECONCILE_INTERVAL_MS: '0' })
const basePort = await freePort()
const baseline = await startService({ PORT: String(basePort), BENCH_TWILIO_TOKEN: data.token }, 'bench/baseline-callback.ts')
const baseCallbackUrl = `http://127.0.0.1:${basePort}/webhooks/twilio/status`
const chunk = Math.floor(CALLBACKS / (ROUNDS + 1))
const rounds: { svc: Awaited<ReturnType<typeof ingest>>; base: Awaited<ReturnType<typeof ingest>> }[] = []
for (let r = 0; r <= ROUNDS; r++) {
  const svc = await ingest(callbackUrl, service.proc.pid as number, forService.slice(r * chunk, (r + 1) * chunk))
  const base = await ingest(baseCallbackUrl, baseline.proc.pid as number, forBaseline.slice(r * chunk, (r + 1) * chunk))
  if (r > 0) rounds.push({ svc, base })
}
const moved = await data.db.smsDelivery.count({ where: { status: 'SENT' } })
for (const p of [service, baseline]) p.proc.kill('SIGTERM')
await Promise.all([service.exited, baseline.exited])
const mid = <T>(list: T[], f: (x: T) => number) => percentile(list.map(f), 50)
const side = (pick: (x: (typeof rounds)[number]) => Awaited<ReturnType<typeof ingest>>) => ({
  'req/s': mid(rounds, (x) => pick(x)['req/s']),
  'p50 ms': mid(rounds, (x) => pick(x)['p50 ms']),
  'p99 ms': mid(rounds, (x) => pick(x)['p99 ms']),
  'CPU ms/callback': Number(mid(rounds, (x) => pick(x).cpu).toFixed(2)),
  errors: rounds.reduce((n, x) => n + pick(x).errors + pick(x).non2xx, 0),
})
const svcSide = side((x) => x.svc)
const baseSide = side((x) => x.base)
report(
  'callback-ingestion',
  [
    { handler: 'service (verify, lookup, forward-only update, event, outbox, publish)', ...svcSide, applied: moved },
    { handler: 'baseline (bare drivers: verify, one update)', ...baseSide },
    {
      handler: 'ratio service/baseline',
      'req/s': Number((svcSide['req/s'] / baseSide['req/s']).toFixed(2)),
      'CPU ms/callback': Number((svcSide['CPU ms/callback'] / baseSide['CPU ms/callback']).toFixed(2)),
    },
  ],
  { callbacks: CALLBACKS, connections: CONNECTIONS, rounds: ROUNDS, target: 'callbacks/s ≥ 0.7× the bare baseline' },
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

/** One fan-out figure: latency from each event sent to each subscriber's copy, events missed, heap per subscriber. */
function fanoutRow(transport: string, size: number, sent: Map<string, number>, arrivals: Arrivals, heapBytes: number) {
  const latencies: number[] = []
  let missing = 0
  for (const [sid, t0] of sent) {
    const got = arrivals.get(sid) ?? []
    missing += size - got.length
    for (const t of got) latencies.push(t - t0)
  }
  return {
    transport,
    subscribers: size,
    events: EVENTS,
    'p50 ms': Number(percentile(latencies, 50).toFixed(1)),
    'p99 ms': Number(percentile(latencies, 99).toFixed(1)),
    missing,
    'heap KB/sub': Number((heapBytes / size / 1024).toFixed(1)),
  }
}

async function openWs(arrivals: Arrivals, key = data.key): Promise<() => Promise<void>> {
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
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

/** A MONITOR key per subscriber, as many monitors each with their own key would hold. */
const { generateApiKey } = await import('../src/auth.js')
const ownKeys = Array.from({ length: Math.max(0, ...SUBSCRIBER_SIZES) }, (_, i) => generateApiKey(`monitor-${i}`, 'MONITOR'))
for (let k = 0; k < ownKeys.length; k += 500)
  await data.db.apiKey.createMany({ data: ownKeys.slice(k, k + 500).map((key) => ({ userId: data.userId, ...key.stored })) })

const runs = [
  ...SUBSCRIBER_SIZES.map((size) => ({ size, transport: 'graphql-ws, one key' })),
  ...SUBSCRIBER_SIZES.map((size) => ({ size, transport: 'graphql-ws, a key each' })),
  ...SSE_SIZES.map((size) => ({ size, transport: 'SSE, one key' })),
]
for (const { size, transport } of runs) {
  const heapBefore = await heap()
  const arrivals: Arrivals = new Map()
  const open = (i: number) =>
    transport.startsWith('SSE') ? openSse(arrivals) : openWs(arrivals, transport.endsWith('each') ? ownKeys[i]?.key : data.key)
  const clients: (() => Promise<void>)[] = []
  for (let k = 0; k < size; k += 100)
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, size - k) }, (_, j) => open(k + j)))))
  await new Promise((r) => setTimeout(r, 500))
  const heapAfter = await heap()
  const sent = new Map<string, number>()
  if (forFanout.length < offset + WARMUP + EVENTS) throw new Error('not enough seeded deliveries for the fan-out runs')
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
  fanoutRows.push(fanoutRow(transport, size, sent, arrivals, heapAfter - heapBefore))
  await Promise.all(clients.map((dispose) => dispose()))
  await new Promise((r) => setTimeout(r, 500))
}
server.proc.kill('SIGTERM')
await server.exited

// The bare baseline: ws clients of a node:http + ws server that sends each message to every socket.
const barePort = await freePort()
const bare = await startService({ PORT: String(barePort) }, 'bench/baseline-fanout.ts', ['--expose-gc'])
const bareHeap = async () => Number(await (await fetch(`http://127.0.0.1:${barePort}/heap`)).text())
for (const size of SUBSCRIBER_SIZES) {
  const heapBefore = await bareHeap()
  const arrivals: Arrivals = new Map()
  const sockets: WebSocket[] = []
  for (let k = 0; k < size; k++) {
    const socket = new WebSocket(`ws://127.0.0.1:${barePort}`)
    socket.on('message', (m) => arrived(arrivals, JSON.parse(String(m))))
    sockets.push(socket)
  }
  await Promise.all(sockets.map((w) => new Promise((r) => w.once('open', r))))
  const heapAfter = await bareHeap()
  const sent = new Map<string, number>()
  for (let e = 0; e < WARMUP + EVENTS; e++) {
    const sid = `SMbare${size}x${e}`
    const message = JSON.stringify({ data: { smsDeliveryUpdated: { delivery: { providerMessageId: sid, status: 'DELIVERED' } } } })
    if (e >= WARMUP) sent.set(sid, performance.now())
    await fetch(`http://127.0.0.1:${barePort}/publish`, { method: 'POST', body: message })
    await new Promise((r) => setTimeout(r, 20))
  }
  await new Promise((r) => setTimeout(r, 1000))
  fanoutRows.push(fanoutRow('baseline: bare ws', size, sent, arrivals, heapAfter - heapBefore))
  for (const w of sockets) w.close()
  await new Promise((r) => setTimeout(r, 300))
}
bare.proc.kill('SIGTERM')
await bare.exited
report('callback-fanout', fanoutRows, {
  target: '1,000 graphql-ws subscribers with a key each: p99 < 100 ms, < 20 KB heap each; SSE 1,000: p99 < 150 ms',
})
await data.db.$disconnect()
