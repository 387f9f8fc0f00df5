// Baseline for smsDeliveries(first: 50) on the bare drivers: node:http, the API key looked up, then
// one joined read of the page (deliveries with their action's and campaign's names), as JSON.
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { BARE_PAGE, bareDb } from './bare.js'

const db = bareDb(process.env.DATABASE_URL as string)
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')
const server = createServer(async (req, res) => {
  for await (const _ of req);
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
  const [key] = await db.query<{ userId: string }>('SELECT "userId" FROM "ApiKey" WHERE "hash" = $1 AND "revokedAt" IS NULL', [
    sha256(token),
  ])
  if (!key) return void res.writeHead(401).end()
  const rows = await db.query(BARE_PAGE, [key.userId])
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { smsDeliveries: { edges: rows.slice(0, 50) } } }))
})
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: Number(process.env.PORT), msg: 'listening' })),
)
