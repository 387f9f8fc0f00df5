import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { guardedLookup } from './targets.js'

/** How an endpoint answered a POST: its status, or why there was none. */
export interface PostResult {
  statusCode: number | null
  latencyMs: number
  error: string | null
}

const MAX_RESPONSE_BYTES = 64 * 1024

/**
 * POSTs JSON to an endpoint: connections only to allowed addresses (checked as they are made),
 * no redirects followed, at most `timeoutMs` in all, the answer read and dropped.
 */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; allowPrivate: boolean; owner?: string },
): Promise<PostResult> {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  // The whole post's time: also the longest its address lookup may wait for a turn.
  const signal = AbortSignal.timeout(opts.timeoutMs)
  return new Promise((resolve) => {
    const target = new URL(url)
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(target, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'sms-actions-webhooks/1',
      },
      lookup: guardedLookup(opts.allowPrivate, { signal, owner: opts.owner }) as never,
      signal,
    })
    req.on('response', (res) => {
      let read = 0
      res.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > MAX_RESPONSE_BYTES) res.destroy()
      })
      res.on('close', () => resolve({ statusCode: res.statusCode ?? null, latencyMs: ms(), error: null }))
      res.on('error', () => undefined)
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : err.message
      resolve({ statusCode: null, latencyMs: ms(), error: reason.slice(0, 300) })
    })
    req.end(body)
  })
}
