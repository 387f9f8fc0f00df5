import { connect } from 'node:net'
import { getIntrospectionQuery } from 'graphql'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { type Json, over } from '../harness/client.js'
import { sseSubscribe, wsSubscribe } from '../harness/subscribers.js'

// Hostile and careless queries, from outside over real HTTP, SSE and WebSocket.
vi.hoisted(() => {
  Object.assign(process.env, {
    REQUEST_TIMEOUT_MS: '1500',
    METRICS_TOKEN: 'metrics-token-0123456789',
    CORS_ORIGINS: 'https://app.example.com',
    MAX_BODY_BYTES: String(256 * 1024),
  })
})

const { app, createKey, sendingSetup, services } = await import('./support/helpers.js')

let base = ''
let gql: (query: string, variables?: Record<string, unknown>, token?: string) => Promise<Json>
let s: Awaited<ReturnType<typeof sendingSetup>>
beforeAll(async () => {
  await app.start()
  base = app.url
  gql = over(fetch, base)
  s = await sendingSetup()
})

const statements = async () => (await services.metrics.dbQueries.get()).values[0]?.value ?? 0
const codes = (body: Json) => (body.errors ?? []).map((e: Json) => e.extensions?.code)
const nest = (n: number) => `{ campaigns { ${'smsActions { campaigns { '.repeat(n)}id${' } }'.repeat(n)} } }`
const DASHBOARD = `{ smsDeliveries(first: 100) { pageInfo { hasNextPage endCursor }
  edges { node { id status to body callId createdAt errorCode events { status at source errorCode } smsAction { name } campaign { name } } } } }`

describe('what one operation may cost, refused before it runs', () => {
  it('refuses a 61-level query (QUERY_TOO_DEEP) over HTTP, SSE and graphql-ws, reading nothing', async () => {
    const before = await statements()
    const http = await gql(nest(30), {}, s.agent)
    expect(http.data).toBeUndefined()
    expect(codes(http)).toContain('QUERY_TOO_DEEP')
    expect((await statements()) - before).toBeLessThanOrEqual(1) // the API key lookup, nothing else
    const deep = `subscription { smsDeliveryUpdated(callId: "x") { delivery { ${'campaign { smsActions { campaigns { '.repeat(6)}id${' } } }'.repeat(6)} } } }`
    const sse = await sseSubscribe(base, s.agent, {}, deep)
    await sse.ended
    expect(sse.received.flatMap(codes)).toContain('QUERY_TOO_DEEP')
    const ws = await wsSubscribe(base, s.agent, {}, deep)
    await ws.completed
    expect(JSON.stringify(ws.errors)).toContain('QUERY_TOO_DEEP')
    await ws.dispose()
  })

  it('refuses too many aliases, tokens and directives', async () => {
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`
    expect(codes(await gql(aliases, {}, s.agent))).toContain('TOO_MANY_ALIASES')
    const tokens = `{ ${Array.from({ length: 2000 }, (_, i) => `t${i}: __typename`).join(' ')} }`
    expect(codes(await gql(tokens, {}, s.agent))).toContain('QUERY_TOO_LARGE')
    const directives = `{ viewer { id ${'@include(if: true) '.repeat(40)} } }`
    expect(codes(await gql(directives, {}, s.agent))).toContain('TOO_MANY_DIRECTIVES')
  })

  it('refuses nested connections whose pages multiply (QUERY_TOO_COMPLEX), and accepts what real clients send', async () => {
    const nested = `{ campaigns { deliveries(first: 100) { edges { node { campaign { deliveries(first: 100) { edges { node { id body } } } } } } } } }`
    const refused = await gql(nested, {}, s.agent)
    expect(refused.data).toBeUndefined()
    expect(refused.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 20_000 } })
    expect((await gql(DASHBOARD, {}, s.agent)).errors).toBeUndefined()
    expect((await gql(getIntrospectionQuery(), {}, s.agent)).data.__schema.types.length).toBeGreaterThan(20)
    // Validation is not reused across requests: the same document costs what its variables ask.
    const paged = `query($n: Int) { campaigns { deliveries(first: $n) { edges { node { campaign { deliveries(first: $n) { edges { node { id } } } } } } } } }`
    expect((await gql(paged, { n: 2 }, s.agent)).errors).toBeUndefined()
    expect(codes(await gql(paged, { n: 100 }, s.agent))).toContain('QUERY_TOO_COMPLEX')
    // The cost of an operation without variables is kept for its document; with variables, it is costed each time.
    expect(codes(await gql(nested, {}, s.agent))).toContain('QUERY_TOO_COMPLEX')
    const defaulted = paged.replace('$n: Int', '$n: Int = 100')
    for (const _ of [1, 2]) expect(codes(await gql(defaulted, {}, s.agent))).toContain('QUERY_TOO_COMPLEX')
    expect((await gql(defaulted, { n: 2 }, s.agent)).errors).toBeUndefined()
    const readme = `query { campaign(id: "${s.campaignId}") { agentTools(format: OPENAI) } viewer { email enabledProviders } }`
    expect((await gql(readme, {}, s.agent)).errors).toBeUndefined()
  })

  it('refuses a plain list of items already above it, whose size no guess bounds; one level of each is fine', async () => {
    const before = await statements()
    for (const [query, at] of [
      ['{ campaigns { smsActions { campaigns { id } } } }', 'campaigns.smsActions.campaigns'],
      ['{ smsActions { campaigns { smsActions { id } } } }', 'smsActions.campaigns.smsActions'],
      ['query { campaign(id: "x") { ...C } } fragment C on Campaign { smsActions { campaigns { id } } }', 'campaign.smsActions.campaigns'],
      // Through a single object too: the page's actions' campaigns' actions.
      [
        '{ smsDeliveries(first: 100) { edges { node { smsAction { campaigns { smsActions { id } } } } } } }',
        'smsDeliveries.edges.node.smsAction.campaigns.smsActions',
      ],
    ]) {
      const refused = await gql(query as string, {}, s.agent)
      expect(refused.data, query).toBeUndefined()
      expect(refused.errors[0], query).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', field: at } })
    }
    expect((await statements()) - before).toBeLessThanOrEqual(4) // the API key lookups, nothing else
    for (const query of [
      '{ campaigns { name smsActions { id name enabled } } smsActions { name campaigns { id name } } }',
      '{ smsDeliveries(first: 5) { edges { node { smsAction { campaigns { name } } campaign { smsActions { name } } } } } }',
    ])
      expect((await gql(query, {}, s.agent)).errors, query).toBeUndefined()
  })

  it('refuses a subscription costing over the limit (QUERY_TOO_COMPLEX) over SSE and graphql-ws, its cost read from its variables', async () => {
    const costly = `subscription($n: Int) { smsDeliveryUpdated(callId: "x") { delivery { campaign { deliveries(first: $n) { edges { node {
      campaign { deliveries(first: $n) { edges { node { id body } } } } } } } } } } }`
    const sse = await sseSubscribe(base, s.agent, { n: 100 }, costly)
    await sse.ended
    expect(sse.received.flatMap(codes)).toContain('QUERY_TOO_COMPLEX')
    const ws = await wsSubscribe(base, s.agent, { n: 100 }, costly)
    await ws.completed
    expect(JSON.stringify([ws.errors, ws.received])).toContain('QUERY_TOO_COMPLEX')
    await ws.dispose()
    // Its selection runs for every event: a subscription has a limit of its own, below a query's.
    const middling = await sseSubscribe(base, s.agent, { n: 30 }, costly)
    await middling.ended
    const refused = middling.received.flatMap(
      (r) => (r as { errors?: { extensions: { code: string; cost: number; limit: number } }[] }).errors ?? [],
    )
    expect(refused[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 1000 })
    expect(refused[0]?.extensions.cost).toBeLessThan(20_000)
  })
})

describe('sizes and time', () => {
  it('answers 413 to a body over MAX_BODY_BYTES, 411 without a length, and closes a graphql-ws socket with 1009 on a message over it', async () => {
    const big = JSON.stringify({ query: `{ viewer { id } } # ${'x'.repeat(300 * 1024)}` })
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })
    expect(res.status).toBe(413)
    const code = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws')
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(300 * 1024) } })))
      socket.on('close', (c) => resolve(c))
    })
    expect(code).toBe(1009)
  })

  it('cuts off a request whose body is trickled in slower than REQUEST_TIMEOUT_MS', async () => {
    const { port } = new URL(base)
    const started = Date.now()
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{')
        const drip = setInterval(() => socket.write(' '), 300)
        let got = ''
        socket.on('data', (d) => {
          got += String(d)
        })
        socket.on('close', () => {
          clearInterval(drip)
          resolve(got)
        })
      })
    })
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('HTTP hygiene', () => {
  it('collapses unknown paths into one metrics label, and serves /metrics only with METRICS_TOKEN', async () => {
    for (const path of ['/nope-1', '/nope-2', '/wp-admin.php']) expect((await fetch(`${base}${path}`)).status).toBe(404)
    expect((await fetch(`${base}/metrics`)).status).toBe(401)
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).text()
    expect(text).toMatch(/http_requests_total\{route="other",status="404"\} [3-9]/)
    expect(text).not.toContain('nope-1')
  })

  it('takes operations as JSON (or GET for queries) only, so no form or multipart post reaches GraphQL', async () => {
    const query = 'mutation { createCampaign(input: {name: "csrf"}) { __typename } }'
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', new URLSearchParams({ query }).toString()],
      ['text/plain', JSON.stringify({ query })],
      ['application/graphql', query],
      [
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query })}\r\n--x--`,
      ],
    ]) {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': type as string, authorization: `Bearer ${s.user.key}` },
        body,
      })
      expect(res.status, type).toBe(415)
    }
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: { authorization: `Bearer ${s.agent}` },
    })
    expect((await get.json()).data.viewer.id).toBe(s.user.id)
    const mutationByGet = await fetch(`${base}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${s.user.key}` },
    })
    expect(mutationByGet.status).toBe(405)
  })

  it('keeps a client request id only when it is a short plain token', async () => {
    const idOf = async (id: string) =>
      (await fetch(`${base}/healthz`, { headers: { 'x-request-id': id } })).headers.get('x-request-id') as string
    expect(await idOf('req-abc-123')).toBe('req-abc-123')
    for (const bad of ['<script>alert(1)</script>', 'x'.repeat(200), 'a b']) expect(await idOf(bad)).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('allows cross-origin calls from CORS_ORIGINS only', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      })
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com')
  })

  it('serves GraphiQL with its assets inline (no CDN), an example operation and a hint for the key', async () => {
    const page = await (await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })).text()
    expect(page).not.toMatch(/<script[^>]+src="https?:/)
    expect(page).not.toMatch(/unpkg|jsdelivr|cdn\./)
    expect(page).toContain('Bearer sk_')
    expect(page).toContain('query Overview')
  })
})

describe('what callers without a key learn', () => {
  it('no introspection and no "Did you mean" hints without a key; both with one', async () => {
    const anonymous = await gql('{ __schema { types { name } } }')
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED'])
    expect((await gql('{ __schema { types { name } } }', {}, s.agent)).data.__schema.types.length).toBeGreaterThan(10)
    const typo = '{ viewr { id } }'
    expect(JSON.stringify(await gql(typo))).not.toContain('Did you mean')
    const keyed = await gql(typo, {}, s.agent)
    expect(JSON.stringify(keyed), JSON.stringify(keyed)).toContain('Did you mean')
    // Validation results are reused per document; the hints are still removed per caller.
    expect(JSON.stringify(await gql(typo))).not.toContain('Did you mean')
  })

  it('answers UNAUTHENTICATED to a missing or bad key the same way over HTTP and SSE', async () => {
    const query = 'subscription { smsDeliveryUpdated(callId: "x") { delivery { id } } }'
    for (const key of ['', 'sk_not_a_key_000000000000000000000000']) {
      const sse = await sseSubscribe(base, key, {}, query)
      await sse.ended
      expect(sse.received.flatMap(codes)).toEqual(['UNAUTHENTICATED'])
      expect(codes(await gql('{ viewer { id } }', {}, key || undefined))).toEqual(['UNAUTHENTICATED'])
    }
  })
})

describe('subscriptions per connection', () => {
  it('refuses operations past SUBSCRIPTIONS_PER_CONNECTION on one socket, with RATE_LIMITED', async () => {
    const monitor = await createKey(s.user.key, 'MONITOR')
    const socket = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws')
    const messages: Json[] = []
    await new Promise<void>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${monitor}` } })))
      socket.on('message', (m) => {
        const msg = JSON.parse(String(m))
        messages.push(msg)
        if (msg.type === 'connection_ack') resolve()
      })
    })
    const query = 'subscription($c: String) { smsDeliveryUpdated(callId: $c) { delivery { id } } }'
    for (let i = 0; i < 26; i++)
      socket.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query, variables: { c: `call-${i}` } } }))
    await vi.waitFor(() => expect(messages.filter((m) => m.type === 'error')).toHaveLength(1))
    const refused = messages.find((m) => m.type === 'error')
    expect(refused).toMatchObject({ id: 's25', payload: [{ extensions: { code: 'RATE_LIMITED' } }] })
    socket.close()
  })
})

afterAll(() => undefined)
