// Baseline for fan-out on the bare drivers: node:http and ws. Each WebSocket client is one
// subscriber; a POST /publish with a JSON message sends it to every open socket. GET /heap answers
// the heap in use after a collection (run with --expose-gc).
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/heap') {
    globalThis.gc?.()
    return void res.writeHead(200).end(String(process.memoryUsage().heapUsed))
  }
  if (req.method !== 'POST' || req.url !== '/publish') return void res.writeHead(404).end()
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const message = Buffer.concat(chunks).toString()
  if (!message) return void res.writeHead(400).end()
  for (const socket of wss.clients) socket.send(message)
  res.writeHead(200).end()
})
const wss = new WebSocketServer({ server })
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: Number(process.env.PORT), msg: 'listening' })),
)
