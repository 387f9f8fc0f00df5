// Baseline for the cost of any GraphQL request: node:http reading the same JSON body, parsing it
// and answering a small JSON document. Nothing else.
import { createServer } from 'node:http'

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const raw = Buffer.concat(chunks).toString()
  const { query } = raw ? (JSON.parse(raw) as { query: string }) : { query: '' }
  const body = JSON.stringify({ data: { __typename: 'Query' }, length: query.length })
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
})
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: Number(process.env.PORT), msg: 'listening' })),
)
