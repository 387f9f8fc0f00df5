import { beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import type { Json, Run } from '../harness/client.js'
import { sseSubscribe, wsSubscribe } from '../harness/subscribers.js'

// One caller never stalls the others: a request budget per key, and open subscriptions per key.
vi.hoisted(() => {
  Object.assign(process.env, {
    KEY_REQUESTS_PER_SECOND: '20',
    USER_REQUESTS_PER_SECOND: '30',
    KEY_QUERY_COST_PER_SECOND: '2000',
    SUBSCRIPTIONS_PER_KEY: '3',
  })
})

const { app, createKey, overSocket, sendingSetup, SEND, services } = await import('./support/helpers.js')

let gql: Run
beforeAll(async () => {
  gql = await overSocket()
})

describe('requests per key per second', () => {
  it('answers RATE_LIMITED past the budget (typed, with an agentMessage for sendSms, at once), and other keys go on', async () => {
    const s = await sendingSetup()
    const other = await createKey(s.user.key, 'MONITOR')
    const answered: { body: Json; order: number }[] = []
    let order = 0
    let served = 0
    let servedAll = () => {}
    const allServed = new Promise<void>((resolve) => {
      servedAll = resolve
    })
    const burst = Array.from({ length: 45 }, () =>
      gql('{ viewer { id } }', {}, s.agent).then((body) => {
        answered.push({ body, order: order++ })
        if (body.data?.viewer?.id === s.user.id && ++served === 20) servedAll()
      }),
    )
    // The budget spent: the key's queries wait for it to refill, its mutations are answered at once.
    await allServed
    const send = await gql(SEND, { input: s.input() }, s.agent)
    const sendOrder = order++
    expect(send.data.sendSms).toMatchObject({ __typename: 'SendSmsError', code: 'RATE_LIMITED' })
    expect(send.data.sendSms.agentMessage).toContain('wait')
    expect((await gql('{ viewer { id } }', {}, other)).data.viewer.id).toBe(s.user.id)
    await Promise.all(burst)
    const limited = answered.filter((a) => a.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED')
    expect(limited.length).toBe(25)
    expect(served).toBe(20)
    expect(limited.every((a) => a.order > sendOrder)).toBe(true)
    expect(limited[0]?.body.errors[0].message).toMatch(/More than 20 requests a second with this key/)
    // Refused as a whole, before it runs: no data, one error, no field path.
    const [first] = limited.map((a) => a.body)
    expect([first.data, first.errors.length, first.errors[0].path]).toEqual([undefined, 1, undefined])
    await vi.waitFor(async () => expect((await gql('{ viewer { id } }', {}, s.agent)).data?.viewer?.id).toBe(s.user.id), { timeout: 3000 })
  })
})

describe('requests per account per second', () => {
  it('answers RATE_LIMITED past the account’s budget however many keys it spreads over; other accounts go on', async () => {
    const s = await sendingSetup()
    const keys = [s.agent, await createKey(s.user.key, 'MONITOR'), await createKey(s.user.key, 'MONITOR')]
    const elsewhere = await sendingSetup()
    // 12 a key is within each key's 20, and 36 in all past the account's 30.
    const answers = await Promise.all(keys.flatMap((key) => Array.from({ length: 12 }, () => gql('{ viewer { id } }', {}, key))))
    const limited = answers.filter((a) => a.errors?.[0]?.extensions?.code === 'RATE_LIMITED')
    // Setting up spent some of this second's budget already: at most 30 are served, so at least 6 refused.
    expect(answers.length - limited.length).toBeLessThanOrEqual(30)
    expect(limited.length).toBeGreaterThanOrEqual(6)
    expect(limited[0]?.errors[0].message).toMatch(/More than 30 requests a second with this account's keys/)
    expect((await gql('{ viewer { id } }', {}, elsewhere.agent)).data.viewer.id).toBe(elsewhere.user.id)
    await vi.waitFor(async () => expect((await gql('{ viewer { id } }', {}, s.agent)).data?.viewer?.id).toBe(s.user.id), { timeout: 3000 })
  })
})

describe('query cost per key per second', () => {
  const codes = (body: Json) => (body.errors ?? []).map((e: Json) => e.extensions?.code)
  const PAGE = '{ smsDeliveries(first: 100) { edges { node { id to body status callId createdAt } } } }'

  it('answers RATE_LIMITED past the budget, then refuses the key at once, before validating, while the refusal lasts', async () => {
    const s = await sendingSetup()
    const other = await createKey(s.user.key, 'MONITOR')
    let refused: Json | undefined
    for (let i = 0; i < 6 && !refused; i++) {
      const page = await gql(PAGE, {}, s.agent)
      if (codes(page).includes('RATE_LIMITED')) refused = page
    }
    expect(refused?.errors[0].message).toMatch(/More than 2000 of query cost a second with this key/)
    // A document that fails validation gets the same refusal: it was neither parsed nor validated.
    expect(codes(await gql('{ noSuchField }', {}, s.agent))).toEqual(['RATE_LIMITED'])
    expect(codes(await gql('{ noSuchField }', {}, other))).toContain('GRAPHQL_VALIDATION_FAILED')
    await vi.waitFor(async () => expect((await gql(PAGE, {}, s.agent)).errors).toBeUndefined(), { timeout: 3000 })
  })
})

describe('subscriptions per key', () => {
  // The same refusal for subscriptions each with their own execution, and for identical ones that share one.
  it.each([
    {
      title: 'refuses a key’s subscription past SUBSCRIPTIONS_PER_KEY with RATE_LIMITED; closing one makes room',
      variables: (name: string) => ({ callId: name }),
    },
    {
      title: 'counts a key’s identical subscriptions too, though they share one execution',
      variables: (_name: string, campaignId: string) => ({ campaignId }),
    },
  ])('$title', async ({ variables }) => {
    const s = await sendingSetup()
    const monitor = await createKey(s.user.key, 'MONITOR')
    const subscribe = (name: string) => wsSubscribe(app.url, monitor, variables(name, s.campaignId))
    const four = []
    for (let i = 0; i < 4; i++) four.push(await subscribe(`call-${i}`))
    // Which one is refused depends on the order the server reads the sockets' subscribe messages in.
    const refusedAt = await Promise.race(four.map((sub, i) => sub.completed.then(() => i)))
    const refused = four[refusedAt] as (typeof four)[number]
    expect(refused.received[0].errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } })
    const open = four.filter((sub) => sub !== refused)
    await open[0]?.dispose()
    await vi.waitFor(async () => {
      const again = await subscribe('room-again')
      expect(again.received).toEqual([])
      open.push(again)
    })
    for (const sub of open.slice(1)) await sub.dispose()
    await refused.dispose()
  })

  it('counts a key’s identical SSE subscriptions the same way', async () => {
    const s = await sendingSetup()
    const monitor = await createKey(s.user.key, 'MONITOR')
    const open = []
    for (let i = 0; i < 3; i++) open.push(await sseSubscribe(app.url, monitor, { campaignId: s.campaignId }))
    const refused = await sseSubscribe(app.url, monitor, { campaignId: s.campaignId })
    await refused.ended
    expect(refused.received[0]?.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } })
    // The three admitted ones share one execution and each gets the update.
    await s.send({ idempotencyKey: 'sse-seats' })
    for (const sub of open) {
      await vi.waitFor(() => expect(sub.received.map((u) => u.data?.smsDeliveryUpdated?.delivery?.status)).toContain('PENDING'))
    }
    for (const sub of open) sub.close()
  })

  it('gives back the seat of a subscription cancelled before it started (complete right after subscribe, or the socket gone)', async () => {
    const s = await sendingSetup()
    const monitor = await createKey(s.user.key, 'MONITOR')
    const before = services.updates.size
    // includeCurrent: an execution of its own, whose iterator graphql-ws ends before it ever asked for an update.
    const cancelled = async (n: number, how: 'complete' | 'terminate') => {
      const socket = new WebSocket(`${app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws')
      await new Promise((open) => socket.once('open', open))
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${monitor}` } }))
      await new Promise((acked) => socket.once('message', acked))
      const variables = { callId: `cancelled-${n}`, includeCurrent: true }
      const query =
        'subscription($callId: String, $includeCurrent: Boolean) { smsDeliveryUpdated(callId: $callId, includeCurrent: $includeCurrent) { delivery { id } } }'
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }))
      if (how === 'complete') socket.send(JSON.stringify({ id: '1', type: 'complete' }))
      else socket.terminate()
      const closed = new Promise((done) => socket.once('close', done))
      if (how === 'complete') socket.close()
      await closed
    }
    for (let i = 0; i < 4; i++) await cancelled(i, i % 2 ? 'terminate' : 'complete')
    await vi.waitFor(() => expect(services.updates.size).toBe(before))
    const open = []
    for (let i = 0; i < 3; i++) open.push(await wsSubscribe(app.url, monitor, { callId: `after-${i}` }))
    await vi.waitFor(() => expect(services.updates.size).toBe(before + 3))
    for (const sub of open) expect(sub.received).toEqual([])
    for (const sub of open) await sub.dispose()
  })
})
