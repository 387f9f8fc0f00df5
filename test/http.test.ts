import { createClient } from 'graphql-ws'
import { beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { app, createUser, serviceLog } from './support/helpers.js'

let base = ''
let ws = ''
beforeAll(async () => {
  await app.start()
  base = app.url
  ws = `${base.replace('http', 'ws')}/graphql`
})
describe('HTTP endpoints over a real socket', () => {
  it('serves /healthz and /readyz (database reachable)', async () => {
    const health = await fetch(`${base}/healthz`)
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }])
    const ready = await fetch(`${base}/readyz`)
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok', database: 'ok' }])
  })

  it('serves Prometheus metrics that count requests', async () => {
    await fetch(`${base}/healthz`)
    const text = await (await fetch(`${base}/metrics`)).text()
    expect(text).toMatch(/http_requests_total\{route="\/healthz",status="200"\} \d+/)
    expect(text).toContain('process_cpu_user_seconds_total')
  })

  it('serves GraphiQL to a browser and GraphQL to clients, with a request id', async () => {
    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('graphiql')
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-abc-123' },
      body: JSON.stringify({ query: '{ __typename }' }),
    })
    expect(res.headers.get('x-request-id')).toBe('req-abc-123')
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } })
    expect(serviceLog()).toContain('"requestId":"req-abc-123"')
  })

  it('answers 404 for unknown paths and a GraphQL error for malformed JSON', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404)
    const bad = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' })
    expect(bad.status).toBe(400)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })

  it('serves GraphQL at /graphql alone: other paths ending in it answer 404, whatever their body', async () => {
    const operation = JSON.stringify({ query: '{ __typename }' })
    for (const path of ['/x/graphql', '/?/graphql', '/graphql/graphql']) {
      const json = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: operation })
      expect([path, json.status]).toEqual([path, 404])
      const form = { 'content-type': 'application/x-www-form-urlencoded' }
      expect([path, (await fetch(`${base}${path}`, { method: 'POST', headers: form, body: 'query=%7B__typename%7D' })).status]).toEqual([
        path,
        404,
      ])
    }
    // Chunked, without a length: past the door's checks, yoga would have read it whole.
    const body = new ReadableStream({
      start: (c) => {
        c.enqueue(new TextEncoder().encode(operation))
        c.close()
      },
    })
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' }
    expect((await fetch(`${base}/x/graphql`, init as RequestInit)).status).toBe(404)
  })

  it('never logs the bearer token of a request', async () => {
    const u = await createUser()
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${u.key}` },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    })
    expect(serviceLog()).not.toContain(u.key)
  })
})

describe('graphql-ws authentication', () => {
  const closeCode = (authorization?: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(ws, 'graphql-transport-ws')
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} })))
      socket.on('message', (m) => {
        const msg = JSON.parse(String(m))
        if (msg.type === 'connection_ack') socket.close(1000)
      })
      socket.on('close', (code) => resolve(code))
    })

  it('closes with 4403 for a missing or unknown key', async () => {
    expect(await closeCode()).toBe(4403)
    expect(await closeCode('Bearer sk_unknown_key_000000000000000000')).toBe(4403)
  })

  it('acknowledges a valid key and runs operations over the socket', async () => {
    const u = await createUser()
    expect(await closeCode(`Bearer ${u.key}`)).toBe(1000)
    const client = createClient({
      url: ws,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${u.key}` },
      retryAttempts: 0,
    })
    const result = await new Promise((resolve, reject) => {
      client.subscribe({ query: '{ viewer { id } }' }, { next: resolve, error: reject, complete: () => undefined })
    })
    expect(result).toEqual({ data: { viewer: { id: u.id } } })
    await client.dispose()
  })
})
