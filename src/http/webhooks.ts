import type { IncomingMessage, ServerResponse } from 'node:http'
import { isTransientDbError } from '../db/client.js'
import type { Services } from '../services.js'
import { INBOUND_PATH } from '../sms/inbound.js'
import { type SignedForm, STATUS_CALLBACK_PATH } from '../sms/providers/twilio/callback.js'

const MAX_BODY = 64 * 1024

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Twilio's form post, checked for method, encoding and size; or the status to refuse it with. */
async function readForm(req: IncomingMessage, requestId: string): Promise<SignedForm | number> {
  if (req.method !== 'POST') return 405
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return 415
  const raw = await readBody(req)
  if (raw === undefined) return 413
  const url = req.url ?? ''
  return {
    params: Object.fromEntries(new URLSearchParams(raw)),
    query: url.includes('?') ? url.slice(url.indexOf('?')) : '',
    signature: String(req.headers['x-twilio-signature'] ?? ''),
    requestId,
  }
}

// An empty TwiML answer: a reply gets no reply (the product is one-way).
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

/** A webhook path's handler, and how a success is answered (content type, body). */
export interface WebhookRoute {
  apply(form: SignedForm): Promise<number>
  ok: [string, string]
}

/** The webhook paths and their handlers. */
export function webhookRoutes({ callbacks, inbound }: Pick<Services, 'callbacks' | 'inbound'>) {
  return new Map<string, WebhookRoute>([
    [STATUS_CALLBACK_PATH, { apply: (f) => callbacks.apply(f), ok: ['text/plain', ''] }],
    [INBOUND_PATH, { apply: (f) => inbound.apply(f), ok: ['text/xml', TWIML] }],
  ])
}

/** Answers one webhook request; a database briefly down answers 503, so the provider tries again. */
export async function serveWebhook(route: WebhookRoute, req: IncomingMessage, res: ServerResponse, requestId: string) {
  const form = await readForm(req, requestId)
  const status =
    typeof form === 'number'
      ? form
      : await route.apply(form).catch((err) => {
          if (isTransientDbError(err)) return 503
          throw err
        })
  const [type, body] = status === 200 ? route.ok : ['text/plain', '']
  res.writeHead(status, { 'content-type': type }).end(body)
}
