// Baseline for sendSms on the bare drivers: the same request bytes over node:http, and the minimum
// the service must do for them: parse the JSON, look the API key up, insert the delivery, create
// the message with the twilio SDK (at the same Twilio double), record its SID. No GraphQL, no
// validation or policy, no events, limits or idempotency.
import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import twilio from 'twilio'
import type { RequestOptions } from 'twilio/lib/base/RequestClient.js'
import { bareDb } from './bare.js'

const need = (name: string) => process.env[name] as string
const db = bareDb(need('DATABASE_URL'))
const base = new URL(need('TWILIO_API_BASE_URL'))
// The SDK's own client, its requests sent to the double instead of api.twilio.com.
class ToDouble extends twilio.RequestClient {
  override request<T>(opts: RequestOptions<T>) {
    const uri = new URL(opts.uri)
    uri.protocol = base.protocol
    uri.host = base.host
    return super.request({ ...opts, uri: uri.href })
  }
}
const client = twilio(need('BENCH_ACCOUNT_SID'), need('BENCH_TWILIO_TOKEN'), { httpClient: new ToDouble({ keepAlive: true }) })
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')

const server = createServer(async (req, res) => {
  if (req.method !== 'POST') return void res.writeHead(200).end()
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const { variables } = JSON.parse(Buffer.concat(chunks).toString())
  const input = variables.input
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
  const [key] = await db.query<{ userId: string }>('SELECT "userId" FROM "ApiKey" WHERE "hash" = $1 AND "revokedAt" IS NULL', [
    sha256(token),
  ])
  if (!key) return void res.writeHead(401).end()
  const id = `b${randomBytes(12).toString('hex')}`
  const now = new Date()
  await db.run(
    `INSERT INTO "SmsDelivery" ("id", "userId", "smsActionId", "campaignId", "callId", "to", "body", "provider", "status", "segments", "encoding", "sandbox", "attempts", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'TWILIO', 'PENDING', 1, 'GSM7', $8, 0, $9, $9)`,
    [id, key.userId, input.smsActionId, input.campaignId, input.call.callId, input.call.customerPhoneNumber, input.body, false, now],
  )
  const m = await client.messages.create({ to: input.call.customerPhoneNumber, from: '+14155550100', body: input.body })
  await db.run(`UPDATE "SmsDelivery" SET "providerMessageId" = $1, "status" = 'QUEUED', "updatedAt" = $2 WHERE "id" = $3`, [
    m.sid,
    new Date(),
    id,
  ])
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ data: { sendSms: { delivery: { id, status: 'QUEUED' } } } }))
})
server.listen(Number(need('PORT')), '127.0.0.1', () => console.log(JSON.stringify({ port: Number(need('PORT')), msg: 'listening' })))
