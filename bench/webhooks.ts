// Outbound webhooks: signed status callbacks in, signed webhook POSTs out to a local receiver.
// Throughput and latency (callback posted → webhook received) beside the bare minimum: the same
// POSTs, signed with standardwebhooks, sent straight from this process at the same concurrency.
// Then retries: the receiver refuses everything for a while, and we time the drain once it is back.
// Usage: npm run bench:webhooks [-- --messages 2000]
import { request } from 'node:http'
import { parseArgs } from 'node:util'
import { WebhookReceiver } from '../harness/webhook-receiver.js'
import { createCipher } from '../src/crypto.js'
import { cuid } from '../src/db/ids.js'
import { secretContext } from '../src/webhooks/attempts.js'
import { newSigningSecret, signedHeaders } from '../src/webhooks/signing.js'
import { benchEnv, percentile, report, startService } from './lib.js'
import { postCallbacks, seed } from './seed.js'

const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '2000' } } })
const N = Number(args.messages)
const CONCURRENCY = 32
const { url } = await benchEnv()
Object.assign(process.env, {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_CONCURRENCY: String(CONCURRENCY),
  WEBHOOK_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
})
const data = await seed(N * 2)
const receiver = await new WebhookReceiver().start()
const secret = newSigningSecret()
receiver.secret = secret
const endpointId = cuid()
const cipher = createCipher(Buffer.from(process.env.ENCRYPTION_KEY as string, 'base64'))
await data.db.webhookEndpoint.create({
  data: {
    id: endpointId,
    userId: data.userId,
    url: receiver.url,
    eventTypes: ',SENT,',
    secret: cipher.encrypt(secret, secretContext(endpointId)),
  },
})
const arrivals = new Map<string, number>()
const received = receiver.received
const arrivedAt = () => {
  for (const r of received.splice(0)) arrivals.set(String(r.payload.data.providerMessageId), performance.now())
}

/** The bare minimum: N signed POSTs to the receiver, CONCURRENCY at a time. */
async function bare(n: number): Promise<number> {
  const body = JSON.stringify({ type: 'sms.sent', timestamp: new Date().toISOString(), data: { providerMessageId: 'x' } })
  const target = new URL(receiver.url)
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const headers = signedHeaders(secret, `msg_bare_${i}`, new Date(), body)
      const req = request(target, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end(body)
    })
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await one(next++)
    }),
  )
  const ms = performance.now() - started
  received.splice(0)
  return Math.round((n * 1000) / ms)
}

async function drained(count: number, timeoutMs: number) {
  const until = performance.now() + timeoutMs
  while (arrivals.size < count && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 20))
    arrivedAt()
  }
}

const rows: Record<string, unknown>[] = []
const barePerSecond = await bare(N)
// NODE_ENV=test: the receivers are plain http on loopback, which production refuses as endpoints.
const service = await startService({
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  WEBHOOK_RETRY_SCHEDULE_MS: '500,1000,2000,4000',
  WEBHOOK_POLL_MS: '1000',
})
const callbackUrl = `${url}/webhooks/twilio/status`
const account = { token: data.token, accountSid: data.accountSid }

// Throughput: N callbacks, each one webhook.
const first = data.sids.slice(0, N)
const sentAt = new Map<string, number>()
const started = performance.now()
for (const sid of first) sentAt.set(sid, started)
await postCallbacks(callbackUrl, account, first, { status: 'sent' })
await drained(N, 120_000)
const elapsed = arrivals.size ? Math.max(...arrivals.values()) - started : Number.NaN
const latencies = first.filter((s) => arrivals.has(s)).map((s) => (arrivals.get(s) as number) - (sentAt.get(s) as number))
rows.push({
  phase: `${N} status changes, receiver up`,
  'webhooks/s': Math.round((arrivals.size * 1000) / elapsed),
  'bare POSTs/s': barePerSecond,
  ratio: Number((barePerSecond / ((arrivals.size * 1000) / elapsed)).toFixed(2)),
  'p50 ms from start': Math.round(percentile(latencies, 50)),
  received: arrivals.size,
})

// Retries: the receiver refuses every POST for 3 s, then answers 200.
arrivals.clear()
const second = data.sids.slice(N, N + 200)
receiver.answers.push(...Array(100_000).fill(503))
const outageStarted = performance.now()
await postCallbacks(callbackUrl, account, second, { status: 'sent' })
await new Promise((r) => setTimeout(r, 3000 - (performance.now() - outageStarted)))
receiver.answers.length = 0
received.splice(0)
const back = performance.now()
await drained(second.length, 60_000)
const attempts = await data.db.webhookAttempt.count({ where: { message: { endpointId, delivery: { providerMessageId: { in: second } } } } })
rows.push({
  phase: '200 changes, receiver refusing for 3 s (retries at 0.5, 1, 2, 4 s)',
  'all delivered ms after recovery': Math.round(Math.max(...arrivals.values()) - back),
  'attempts per message': Number((attempts / second.length).toFixed(2)),
  received: arrivals.size,
})
service.proc.kill('SIGTERM')
await service.exited
await receiver.close()
report('webhooks', rows, { messages: N, concurrency: CONCURRENCY })
process.exit(0)
