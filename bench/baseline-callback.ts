// Baseline for callback ingestion on the bare drivers: node:http, the twilio SDK's signature check,
// and the one conditional update the service must make; nothing else.
import { createServer } from 'node:http'
import twilio from 'twilio'
import { bareDb } from './bare.js'

const db = bareDb(process.env.DATABASE_URL as string)
const token = process.env.BENCH_TWILIO_TOKEN as string
// Signed for the address it is posted to, as the service's are for its PUBLIC_URL.
const url = `http://127.0.0.1:${process.env.PORT}/webhooks/twilio/status`
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))
  if (!twilio.validateRequest(token, String(req.headers['x-twilio-signature']), url, params)) return void res.writeHead(403).end()
  await db.run(
    `UPDATE "SmsDelivery" SET "status" = 'SENT', "updatedAt" = $1 WHERE "providerMessageId" = $2 AND "status" IN ('PENDING', 'QUEUED')`,
    [new Date(), params.MessageSid],
  )
  res.writeHead(200).end()
})
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: Number(process.env.PORT), msg: 'listening' })),
)
