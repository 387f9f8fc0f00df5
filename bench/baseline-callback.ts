// Baseline for callback ingestion: a bare node:http handler that verifies the signature and does
// the same single conditional update, through the same Prisma client, and nothing else.
import { createServer } from 'node:http'
import twilio from 'twilio'
import { createDatabase } from '../src/db/client.js'

const { db } = createDatabase(process.env.DATABASE_URL as string)

const token = process.env.BENCH_TWILIO_TOKEN as string
const url = `${process.env.PUBLIC_URL}/webhooks/twilio/status`
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))
  if (!twilio.validateRequest(token, String(req.headers['x-twilio-signature']), url, params)) {
    res.writeHead(403).end()
    return
  }
  await db.smsDelivery.updateMany({
    where: { providerMessageId: params.MessageSid, status: { in: ['PENDING', 'QUEUED'] } },
    data: { status: 'SENT' },
  })
  res.writeHead(200).end()
})
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: Number(process.env.PORT), msg: 'listening' })),
)
