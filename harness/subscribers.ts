import { type Client, createClient } from 'graphql-ws'
import WebSocket from 'ws'
import type { Json } from './client.js'

export const UPDATES = `subscription($deliveryId: ID, $campaignId: ID, $callId: String) {
  smsDeliveryUpdated(deliveryId: $deliveryId, campaignId: $campaignId, callId: $callId) {
    delivery { id status errorCode errorMessage callId } event { status source errorCode at } } }`

/** A graphql-ws subscriber that collects what it receives. */
export interface Subscriber {
  received: Json[]
  errors: unknown[]
  completed: Promise<void>
  closeCode: Promise<number>
  dispose(): Promise<void>
}

/** Opens a graphql-ws connection (real socket) and subscribes; resolves once the server acknowledged or closed it. */
export async function wsSubscribe(base: string, key: string, variables: Record<string, unknown>, query = UPDATES): Promise<Subscriber> {
  let closeCode: (code: number) => void = () => undefined
  const closed = new Promise<number>((r) => {
    closeCode = r
  })
  let acked: () => void = () => undefined
  const ack = new Promise<void>((r) => {
    acked = r
  })
  const client: Client = createClient({
    url: `${base.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { connected: () => acked(), closed: (e) => closeCode((e as { code: number }).code) },
  })
  const received: Json[] = []
  const errors: unknown[] = []
  const completed = new Promise<void>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (v) => received.push(v),
        error: (e) => {
          errors.push(e)
          resolve()
        },
        complete: () => resolve(),
      },
    )
  })
  await Promise.race([ack, closed])
  return { received, errors, completed, closeCode: closed, dispose: () => client.dispose() as Promise<void> }
}

/** A Server-Sent Events subscriber (yoga's built-in transport). */
export interface SseSubscriber {
  received: Json[]
  ended: Promise<void>
  close(): void
}

export async function sseSubscribe(base: string, key: string, variables: Record<string, unknown>, query = UPDATES): Promise<SseSubscriber> {
  const abort = new AbortController()
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  })
  if (!res.ok || !res.body) throw new Error(`SSE subscribe failed: ${res.status}`)
  const received: Json[] = []
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  const ended = (async () => {
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        let cut = buffer.indexOf('\n\n')
        while (cut >= 0) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n')
          if (data && /^event: ?next/m.test(block)) received.push(JSON.parse(data))
          if (/^event: ?complete/m.test(block)) return
          cut = buffer.indexOf('\n\n')
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  return { received, ended, close: () => abort.abort() }
}
