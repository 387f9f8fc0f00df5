import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

/** A message as received, checked with the Standard Webhooks library itself. */
export interface Received {
  id: string
  headers: IncomingHttpHeaders
  body: string
  payload: { type: string; timestamp: string; data: Record<string, unknown> }
  verified: boolean
}

/**
 * A customer's webhook endpoint on a real socket: verifies each POST's signature with the
 * standardwebhooks package and answers what the test says (a status per request, in turn, or a delay).
 */
export class WebhookReceiver {
  readonly received: Received[] = []
  /** Statuses to answer, one per request in turn; 200 once spent. */
  readonly answers: number[] = []
  /** Answer only after this many ms. */
  delayMs = 0
  /** How many requests have been answered. */
  replied = 0
  secret?: string
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let verified = false
      try {
        new Webhook(this.secret as string).verify(body, req.headers as Record<string, string>)
        verified = true
      } catch {}
      this.received.push({ id: String(req.headers['webhook-id']), headers: req.headers, body, payload: JSON.parse(body), verified })
      const status = this.answers.shift() ?? 200
      const reply = () => {
        this.replied++
        res.writeHead(status).end()
      }
      if (this.delayMs) setTimeout(reply, this.delayMs)
      else reply()
    })
  })

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return this
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`
  }

  /** The distinct message ids received, in order of arrival. */
  ids(): string[] {
    return [...new Set(this.received.map((r) => r.id))]
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
