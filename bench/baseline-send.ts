// Baseline for sendSms: the bare minimum for the same work. One insert, one SDK call to the same
// Twilio double, one update; no auth, validation, policy, idempotency, events or GraphQL.
import { createServer } from 'node:http'
import { createDatabase } from '../src/db/client.js'
import { TwilioClients } from '../src/sms/providers/twilio/client.js'

const env = process.env as Record<string, string>
const { db } = createDatabase(env.DATABASE_URL as string)
const client = new TwilioClients({ baseUrl: env.TWILIO_API_BASE_URL as string, timeoutMs: 10_000 }).for(
  env.BENCH_ACCOUNT_SID as string,
  env.BENCH_TWILIO_TOKEN as string,
)
const server = createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200).end()
    return
  }
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const input = JSON.parse(Buffer.concat(chunks).toString()) as { callId: string; body: string }
  const d = await db.smsDelivery.create({
    data: {
      userId: env.BENCH_USER_ID as string,
      smsActionId: env.BENCH_ACTION_ID as string,
      campaignId: env.BENCH_CAMPAIGN_ID as string,
      callId: input.callId,
      to: '+14155550123',
      body: input.body,
      provider: 'TWILIO',
      segments: 1,
      encoding: 'GSM7',
    },
  })
  const m = await client.messages.create({ to: '+14155550123', from: '+14155550100', body: input.body })
  await db.smsDelivery.update({ where: { id: d.id }, data: { providerMessageId: m.sid, status: 'QUEUED' } })
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: d.id }))
})
server.listen(Number(env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ port: Number(env.PORT), msg: 'listening' })))
