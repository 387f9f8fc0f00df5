import type { IncomingMessage } from 'node:http'
import { isTransientDbError } from '../db/client.js'
import type { StatusCallbacks } from '../sms/delivery/callbacks.js'

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

/** Twilio's status callback over HTTP: method, encoding and size checked here; returns the status to answer. */
export async function statusCallbackRoute(req: IncomingMessage, requestId: string, callbacks: StatusCallbacks): Promise<number> {
  if (req.method !== 'POST') return 405
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return 415
  const raw = await readBody(req)
  if (raw === undefined) return 413
  const url = req.url ?? ''
  const callback = {
    params: Object.fromEntries(new URLSearchParams(raw)),
    query: url.includes('?') ? url.slice(url.indexOf('?')) : '',
    signature: String(req.headers['x-twilio-signature'] ?? ''),
    requestId,
  }
  // A database briefly down: 503, so the provider (or the reconciler later) tries again.
  return callbacks.apply(callback).catch((err) => {
    if (isTransientDbError(err)) return 503
    throw err
  })
}
