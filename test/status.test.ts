import { createClient } from 'graphql-ws'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { sseSubscribe, UPDATES, wsSubscribe } from '../harness/subscribers.js'
import { TwilioClients } from '../src/sms/providers/twilio/client.js'
import { app, createKey, db, gql, type Json, mutate, sendingSetup, serviceLog, services, twilio } from './support/helpers.js'

beforeAll(() => app.start())
const CALLBACK = 'http://localhost:4000/webhooks/twilio/status'
/** Posts to the real socket what the double would post to PUBLIC_URL (localhost:4000). */
const deliverCallback = (sid: string, status: string, extra: Record<string, string> = {}, opts: { token?: string; url?: string } = {}) =>
  twilio.statusCallback(sid, status, extra, { via: app.url, ...opts })
const subscribed = (n: number) => vi.waitFor(() => expect(services.updates.size).toBe(n), { timeout: 5000 })
const statuses = (list: { data: { smsDeliveryUpdated: { event: { status: string } } } }[]) =>
  list.map((u) => u.data.smsDeliveryUpdated.event.status)
async function sent(s: Awaited<ReturnType<typeof sendingSetup>>, extra = {}) {
  const r = await s.send(extra)
  return { id: r.delivery.id as string, sid: r.delivery.providerMessageId as string }
}
/** A user with a MONITOR key subscribed to its campaign over graphql-ws and SSE; how many subscriptions were open before. */
async function monitorSubscribed() {
  const s = await sendingSetup()
  const monitor = await createKey(s.user.key, 'MONITOR')
  const before = services.updates.size
  const ws = await wsSubscribe(app.url, monitor, { campaignId: s.campaignId })
  const sse = await sseSubscribe(app.url, monitor, { campaignId: s.campaignId })
  return { s, monitor, before, ws, sse }
}
const events = async (id: string) =>
  (await db.smsDeliveryEvent.findMany({ where: { deliveryId: id }, orderBy: { at: 'asc' } })).map((e) => `${e.status}:${e.source}`)

describe('signed status callbacks, streamed to subscribers', () => {
  it('streams exactly the updates, in order, over graphql-ws and SSE', async () => {
    const s = await sendingSetup()
    const before = services.updates.size
    const ws = await wsSubscribe(app.url, s.agent, { callId: 'call-1' })
    const sse = await sseSubscribe(app.url, s.agent, { campaignId: s.campaignId })
    await subscribed(before + 2)
    const { id, sid } = await sent(s)
    for (const status of ['queued', 'sent', 'delivered']) expect(await deliverCallback(sid, status)).toBe(200)
    const want = ['PENDING', 'QUEUED', 'SENT', 'DELIVERED']
    await vi.waitFor(() => expect(statuses(ws.received)).toEqual(want), { timeout: 5000 })
    await vi.waitFor(() => expect(statuses(sse.received)).toEqual(want), { timeout: 5000 })
    expect(ws.received.at(-1).data.smsDeliveryUpdated).toMatchObject({
      delivery: { id, status: 'DELIVERED' },
      event: { source: 'PROVIDER_CALLBACK' },
    })
    expect(await events(id)).toEqual(['PENDING:API', 'QUEUED:DISPATCHER', 'SENT:PROVIDER_CALLBACK', 'DELIVERED:PROVIDER_CALLBACK'])
    await ws.dispose()
    sse.close()
  })

  it('reads an update’s action and campaign afresh for each event: renamed since the last one, the new names show', async () => {
    const s = await sendingSetup()
    const before = services.updates.size
    const query = `subscription($c: String) { smsDeliveryUpdated(callId: $c) {
      delivery { id smsAction { name } campaign { name } } event { status } } }`
    const ws = await wsSubscribe(app.url, s.agent, { c: 'call-renamed' }, query)
    await subscribed(before + 1)
    const { sid } = await sent(s, { call: { callId: 'call-renamed', customerPhoneNumber: '+14155550123' } })
    expect(await deliverCallback(sid, 'sent')).toBe(200)
    const update = (n: number) => (ws.received[n] as Json).data.smsDeliveryUpdated
    const names = (n: number) => update(n).delivery
    await vi.waitFor(() => expect(ws.received.map((_, n) => update(n).event.status)).toContain('SENT'))
    for (let n = 0; n < ws.received.length; n++)
      expect(names(n)).toMatchObject({ smsAction: { name: 'send_text' }, campaign: { name: 'Calls' } })
    const renameAction = 'mutation($id: ID!) { updateSmsAction(id: $id, input: { name: "send_link" }) { __typename } }'
    expect((await mutate('updateSmsAction', renameAction, { id: s.actionId }, s.user.key)).__typename).toBe('UpdateSmsActionSuccess')
    const renameCampaign = 'mutation($id: ID!) { updateCampaign(id: $id, input: { name: "Evening calls" }) { __typename } }'
    expect((await mutate('updateCampaign', renameCampaign, { id: s.campaignId }, s.user.key)).__typename).toBe('UpdateCampaignSuccess')
    const count = ws.received.length
    expect(await deliverCallback(sid, 'delivered')).toBe(200)
    await vi.waitFor(() => expect(ws.received.length).toBe(count + 1))
    expect(update(count).event.status).toBe('DELIVERED')
    expect(names(count)).toMatchObject({ smsAction: { name: 'send_link' }, campaign: { name: 'Evening calls' } })
    await ws.dispose()
  })

  it('with includeCurrent, sends the deliveries as they now are, then only their later changes (unshared, over graphql-ws and SSE)', async () => {
    const s = await sendingSetup()
    const earlier = await sent(s, { call: { callId: 'call-current', customerPhoneNumber: '+14155550123' } })
    const { id, sid } = await sent(s, { call: { callId: 'call-current', customerPhoneNumber: '+14155550123' } })
    expect(await deliverCallback(earlier.sid, 'delivered')).toBe(200)
    expect(await deliverCallback(sid, 'sent')).toBe(200)
    const current = { callId: 'call-current', includeCurrent: true }
    const query = UPDATES.replace('$callId: String)', '$callId: String, $includeCurrent: Boolean)').replace(
      'callId: $callId)',
      'callId: $callId, includeCurrent: $includeCurrent)',
    )
    const before = services.updates.size
    // The same key and operation twice: each gets the current state, so they are not one shared execution.
    const ws = [await wsSubscribe(app.url, s.agent, current, query), await wsSubscribe(app.url, s.agent, current, query)]
    const sse = [await sseSubscribe(app.url, s.agent, current, query), await sseSubscribe(app.url, s.agent, current, query)]
    const subs = [...ws, ...sse]
    await subscribed(before + 4)
    const shown = (sub: { received: Json[] }) =>
      sub.received.map((u) => `${u.data.smsDeliveryUpdated.delivery.id === id ? 'last' : 'earlier'}:${statuses([u])[0]}`)
    for (const sub of subs) await vi.waitFor(() => expect(shown(sub)).toEqual(['earlier:DELIVERED', 'last:SENT']), { timeout: 5000 })
    expect(subs[0]?.received[1].data.smsDeliveryUpdated).toMatchObject({
      delivery: { id, status: 'SENT' },
      event: { status: 'SENT', source: 'PROVIDER_CALLBACK' },
    })
    // Updates published before the state was read, arriving late: the same status, an older one.
    const delivery = await db.smsDelivery.findUniqueOrThrow({ where: { id } })
    for (const event of await db.smsDeliveryEvent.findMany({ where: { deliveryId: id }, orderBy: { at: 'desc' } }))
      services.pubsub.publish('delivery:updated', delivery.userId, { delivery, event, webhooks: 0 })
    expect(await deliverCallback(sid, 'delivered')).toBe(200)
    for (const sub of subs)
      await vi.waitFor(() => expect(shown(sub)).toEqual(['earlier:DELIVERED', 'last:SENT', 'last:DELIVERED']), { timeout: 5000 })
    await Promise.all(ws.map((sub) => sub.dispose()))
    for (const sub of sse) sub.close()
    await subscribed(before)
  })

  it('keeps the right final status and no duplicate events when callbacks come reversed and twice', async () => {
    const s = await sendingSetup()
    const { id, sid } = await sent(s)
    for (const status of ['delivered', 'sent', 'queued', 'delivered', 'sent', 'sending'])
      expect(await deliverCallback(sid, status)).toBe(200)
    expect((await db.smsDelivery.findUniqueOrThrow({ where: { id } })).status).toBe('DELIVERED')
    expect(await events(id)).toEqual(['PENDING:API', 'QUEUED:DISPATCHER', 'DELIVERED:PROVIDER_CALLBACK'])
  })

  it('stores the error code of an undelivered message with a readable message', async () => {
    const s = await sendingSetup()
    const { id, sid } = await sent(s)
    expect(await deliverCallback(sid, 'undelivered', { ErrorCode: '30003' })).toBe(200)
    expect(await deliverCallback(sid, 'delivered')).toBe(200)
    const d = await db.smsDelivery.findUniqueOrThrow({ where: { id } })
    expect(d).toMatchObject({
      status: 'UNDELIVERED',
      errorCode: '30003',
      errorMessage: 'Unreachable destination handset (off or out of coverage)',
    })
    const q = await gql(
      'query($id: ID!) { smsDelivery(id: $id) { status errorCode errorMessage events { status errorCode } } }',
      { id },
      s.agent,
    )
    expect(q.data.smsDelivery.events.at(-1)).toEqual({ status: 'UNDELIVERED', errorCode: '30003' })
  })

  it('refuses forged signatures with 403 and changes nothing', async () => {
    const s = await sendingSetup()
    const { id, sid } = await sent(s)
    expect(await deliverCallback(sid, 'delivered', {}, { token: 'f'.repeat(32) })).toBe(403)
    expect(await deliverCallback(sid, 'delivered', {}, { url: 'https://attacker.example.com/webhooks/twilio/status' })).toBe(403)
    const m = twilio.messages.get(sid)
    const params = { MessageSid: sid, MessageStatus: 'sent', AccountSid: s.account?.sid ?? '' }
    const { default: tw } = await import('twilio')
    const signature = tw.getExpectedTwilioSignature(m?.account.token ?? '', CALLBACK, params)
    const altered = await fetch(`${app.url}/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...params, MessageStatus: 'delivered' }),
    })
    expect(altered.status).toBe(403)
    const unsigned = await fetch(`${app.url}/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, MessageStatus: 'delivered' }),
    })
    expect(unsigned.status).toBe(403)
    expect((await db.smsDelivery.findUniqueOrThrow({ where: { id } })).status).toBe('QUEUED')
    expect(await events(id)).toEqual(['PENDING:API', 'QUEUED:DISPATCHER'])
    const log = serviceLog()
    expect(log).toContain('signature does not verify')
    expect(log).not.toContain(m?.account.token)
  })

  it('re-reads a user’s credentials for forged callbacks at most once in a while, not once each', async () => {
    const s = await sendingSetup()
    const { sid } = await sent(s)
    const reads = vi.spyOn(services.stores.accounts, 'twilioAccount')
    try {
      for (let i = 0; i < 5; i++) expect(await deliverCallback(sid, 'delivered', {}, { token: 'f'.repeat(32) })).toBe(403)
      expect(reads.mock.calls.length).toBeLessThanOrEqual(1)
    } finally {
      reads.mockRestore()
    }
  })

  it('accepts callbacks signed with a token rotated by another instance (remembered credentials are re-read)', async () => {
    const s = await sendingSetup()
    const { id, sid } = await sent(s)
    expect(await deliverCallback(sid, 'sent')).toBe(200)
    const account = twilio.messages.get(sid)?.account
    if (!account) throw new Error('no account')
    account.token = 'c'.repeat(32)
    await db.twilioAccount.update({
      where: { userId: s.user.id },
      data: { authTokenEnc: services.credentials.seal(s.user.id, account.token) },
    })
    expect(await deliverCallback(sid, 'delivered')).toBe(200)
    expect((await db.smsDelivery.findUniqueOrThrow({ where: { id } })).status).toBe('DELIVERED')
  })

  it('acknowledges a signed callback for a message sent outside the service, and refuses an unsigned one with 403', async () => {
    const s = await sendingSetup()
    const account = s.account as NonNullable<typeof s.account>
    const client = new TwilioClients({ baseUrl: twilio.url, timeoutMs: 5000 }).for(account.sid, account.token)
    const body = 'Sent from Twilio’s console.'
    const m = await client.messages.create({ to: '+14155550123', from: '+14155550100', body, statusCallback: CALLBACK })
    expect(await deliverCallback(m.sid, 'delivered')).toBe(200)
    expect(await deliverCallback(m.sid, 'delivered', {}, { token: 'f'.repeat(32) })).toBe(403)
    expect(serviceLog()).toContain(`"sid":"${m.sid}","msg":"status callback for an unknown message acknowledged"`)
  })

  it('answers 400 for malformed bodies, 415 for other encodings, and 403 for an unknown message unsigned', async () => {
    const post = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${app.url}/webhooks/twilio/status`, { method: 'POST', headers: { 'content-type': type }, body }).then((r) => r.status)
    expect(await post('MessageStatus=delivered')).toBe(400)
    expect(await post('MessageSid=nonsense&MessageStatus=delivered')).toBe(400)
    expect(await post(`MessageSid=SM${'0'.repeat(32)}`)).toBe(400)
    expect(await post('{"MessageSid":"x"}', 'application/json')).toBe(415)
    expect(await post(`MessageSid=SM${'0'.repeat(32)}&MessageStatus=delivered&NewTwilioParam=1`)).toBe(403)
    expect((await fetch(`${app.url}/webhooks/twilio/status`)).status).toBe(405)
    expect(await post('x'.repeat(70_000))).toBe(413)
  })
})

describe('callbacks that name their delivery (self-healing identity)', () => {
  it('adopt a message the delivery never recorded: Twilio accepted it, its answer had not arrived', async () => {
    const s = await sendingSetup()
    twilio.holdMessages = true
    const r = await s.send({ body: 'Adopt me from the callback.' })
    expect(r.delivery).toMatchObject({ status: 'PENDING', providerMessageId: null })
    const held = [...twilio.messages.values()].find((m) => m.account === s.account)
    if (!held) throw new Error('Twilio never received the create')
    expect(await deliverCallback(held.resource.sid, 'sent')).toBe(200)
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id: r.delivery.id } })).toMatchObject({
      status: 'SENT',
      providerMessageId: held.resource.sid,
    })
    // Twilio's late answer to the create changes nothing: same message, status already further on.
    expect(twilio.releaseHeld()).toBe(1)
    const late = `"deliveryId":"${r.delivery.id}","status":"QUEUED","source":"DISPATCHER","msg":"delivery status unchanged`
    await vi.waitFor(() => expect(serviceLog()).toContain(late), { timeout: 5000 })
    await deliverCallback(held.resource.sid, 'delivered')
    expect(await events(r.delivery.id)).toEqual(['PENDING:API', 'SENT:PROVIDER_CALLBACK', 'DELIVERED:PROVIDER_CALLBACK'])
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1)
  })

  it('record a second message for the same delivery as a duplicate send, visible to the owner and in metrics', async () => {
    const s = await sendingSetup()
    const { id, sid } = await sent(s)
    const first = twilio.messages.get(sid)
    if (!first?.statusCallback) throw new Error('no callback URL')
    const client = new TwilioClients({ baseUrl: twilio.url, timeoutMs: 5000 }).for(first.account.sid, first.account.token)
    const second = await client.messages.create({
      to: first.resource.to,
      from: '+14155550100',
      body: 'again',
      statusCallback: first.statusCallback,
    })
    for (let n = 0; n < 2; n++) expect(await deliverCallback(second.sid, 'sent')).toBe(200)
    const q = await gql('query($id: ID!) { smsDelivery(id: $id) { providerMessageId duplicateMessageIds status } }', { id }, s.user.key)
    expect(q.data.smsDelivery).toEqual({ providerMessageId: sid, duplicateMessageIds: [second.sid], status: 'QUEUED' })
    const metrics = await (await fetch(`${app.url}/metrics`)).text()
    expect(metrics).toMatch(/sms_duplicate_sends_total\{provider="TWILIO"\} 1\b/)
  })
})

describe('subscription authorization', () => {
  it("never sends user A another user's updates, even on the same call id", async () => {
    const a = await sendingSetup()
    const b = await sendingSetup()
    const before = services.updates.size
    const aSub = await wsSubscribe(app.url, a.agent, { callId: 'call-1' })
    await subscribed(before + 1)
    const theirs = await sent(b)
    await deliverCallback(theirs.sid, 'delivered')
    const mine = await sent(a)
    await deliverCallback(mine.sid, 'delivered')
    await vi.waitFor(() => expect(statuses(aSub.received)).toEqual(['PENDING', 'QUEUED', 'DELIVERED']), { timeout: 5000 })
    expect(aSub.received.every((u) => u.data.smsDeliveryUpdated.delivery.id === mine.id)).toBe(true)
    await aSub.dispose()
  })

  it('requires a filter, and answers NOT_FOUND for a foreign delivery or campaign', async () => {
    const a = await sendingSetup()
    const b = await sendingSetup()
    const theirs = await sent(b)
    // Refused on subscribe: one result with the error, no data, then complete (graphql-ws, like SSE).
    const refusal = (sub: Awaited<ReturnType<typeof wsSubscribe>>) => {
      expect(sub.errors).toEqual([])
      expect(sub.received).toHaveLength(1)
      expect(sub.received[0].data ?? null).toBeNull()
      return sub.received[0].errors[0]
    }
    const none = await wsSubscribe(app.url, a.agent, {})
    await none.completed
    expect(refusal(none)).toMatchObject({ message: expect.stringContaining('at least one'), extensions: { code: 'VALIDATION' } })
    for (const vars of [{ deliveryId: theirs.id }, { campaignId: b.campaignId }]) {
      const sub = await wsSubscribe(app.url, a.agent, vars)
      await sub.completed
      expect(refusal(sub)).toMatchObject({ extensions: { code: 'NOT_FOUND' } })
      await sub.dispose()
    }
    await none.dispose()
  })

  it('closes the sockets and subscriptions of a revoked key (4403), and refuses it afterwards', async () => {
    const { s, monitor, before, ws, sse } = await monitorSubscribed()
    const control = await wsSubscribe(app.url, s.agent, { campaignId: s.campaignId })
    await subscribed(before + 3)
    const keys = await gql('{ apiKeys { id role } }', {}, s.user.key)
    const id = keys.data.apiKeys.filter((k: { role: string }) => k.role === 'MONITOR').at(-1).id
    await mutate('revokeApiKey', 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id }, s.user.key)
    expect(await ws.closeCode).toBe(4403)
    await sse.ended
    await subscribed(before + 1)
    const again = await wsSubscribe(app.url, monitor, { campaignId: s.campaignId })
    expect(await again.closeCode).toBe(4403)
    // Everyone else's subscriptions on the same topic live on.
    await sent(s)
    await vi.waitFor(() => expect(statuses(control.received)).toEqual(['PENDING', 'QUEUED']), { timeout: 5000 })
    await control.dispose()
  })
})

describe('shared subscriptions', () => {
  it('runs one execution for identical subscriptions of a key, and each leaves without ending the others', async () => {
    const s = await sendingSetup()
    const monitor = await createKey(s.user.key, 'MONITOR')
    const before = services.updates.size
    const same = await Promise.all([1, 2, 3].map(() => wsSubscribe(app.url, s.agent, { campaignId: s.campaignId })))
    const otherVariables = await wsSubscribe(app.url, s.agent, { callId: 'call-1' })
    const otherKey = await wsSubscribe(app.url, monitor, { campaignId: s.campaignId })
    await subscribed(before + 3)
    const first = await sent(s)
    await deliverCallback(first.sid, 'delivered')
    for (const sub of [...same, otherVariables, otherKey]) {
      await vi.waitFor(() => expect(statuses(sub.received)).toEqual(['PENDING', 'QUEUED', 'DELIVERED']), { timeout: 5000 })
    }
    expect(same[1]?.received).toEqual(same[0]?.received)
    await same[0]?.dispose()
    const second = await sent(s)
    for (const sub of same.slice(1)) {
      await vi.waitFor(() => expect(sub.received.filter((u) => u.data.smsDeliveryUpdated.delivery.id === second.id)).toHaveLength(2), {
        timeout: 5000,
      })
    }
    expect(services.updates.size).toBe(before + 3)
    await Promise.all(same.slice(1).map((sub) => sub.dispose()))
    await deliverCallback(second.sid, 'delivered')
    await subscribed(before + 2)
    await Promise.all([otherVariables.dispose(), otherKey.dispose()])
  })
})

describe('a key revoked where this server hears no event', () => {
  it('ends its open subscriptions and sockets once the server looks for revoked keys', async () => {
    const { s, before, ws, sse } = await monitorSubscribed()
    await subscribed(before + 2)
    const key = await db.apiKey.findFirstOrThrow({ where: { userId: s.user.id, role: 'MONITOR' }, orderBy: { createdAt: 'desc' } })
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } })
    expect(await services.revocations.once()).toBeGreaterThanOrEqual(1)
    expect(await ws.closeCode).toBe(4403)
    await sse.ended
    await subscribed(before)
  })

  it('has the next operation on its open socket refused, and the socket closed with 4403', async () => {
    const s = await sendingSetup()
    const monitor = await createKey(s.user.key, 'MONITOR')
    let closed: (code: number) => void = () => undefined
    const closeCode = new Promise<number>((resolve) => {
      closed = resolve
    })
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${monitor}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (e) => closed((e as { code: number }).code) },
    })
    const ask = () =>
      new Promise<unknown>((resolve) => {
        let result: unknown
        client.subscribe({ query: '{ viewer { id } }' }, { next: (r) => (result = r), error: resolve, complete: () => resolve(result) })
      })
    expect(await ask()).toMatchObject({ data: { viewer: { id: s.user.id } } })
    // As the CLI does from its own process: the row changes, no event reaches this server.
    const key = await db.apiKey.findFirstOrThrow({ where: { userId: s.user.id, role: 'MONITOR' }, orderBy: { createdAt: 'desc' } })
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } })
    expect(JSON.stringify(await ask())).toContain('UNAUTHENTICATED')
    expect(await closeCode).toBe(4403)
    await client.dispose()
  })
})

/** Revokes the older of the user's two newest MONITOR keys. */
async function revokeFirstOfTwoMonitors(s: Awaited<ReturnType<typeof sendingSetup>>) {
  const keys = await gql('{ apiKeys { id role } }', {}, s.user.key)
  const ids = keys.data.apiKeys.filter((k: { role: string }) => k.role === 'MONITOR').map((k: { id: string }) => k.id)
  await mutate('revokeApiKey', 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id: ids.at(-2) }, s.user.key)
}

describe('subscriptions shared among a user’s keys', () => {
  it('runs one execution for the same subscription of two keys of one role; revoking one ends only its own', async () => {
    const s = await sendingSetup()
    const [a, b] = [await createKey(s.user.key, 'MONITOR'), await createKey(s.user.key, 'MONITOR')]
    const before = services.updates.size
    const first = await wsSubscribe(app.url, a, { campaignId: s.campaignId })
    const second = await wsSubscribe(app.url, b, { campaignId: s.campaignId })
    await subscribed(before + 1)
    const one = await sent(s)
    // The second may join after the first event; both see the send reach QUEUED.
    for (const sub of [first, second]) await vi.waitFor(() => expect(statuses(sub.received)).toContain('QUEUED'), { timeout: 5000 })
    // The key that opened the shared execution goes; the other key's subscriber keeps it.
    await revokeFirstOfTwoMonitors(s)
    expect(await first.closeCode).toBe(4403)
    await deliverCallback(one.sid, 'delivered')
    await vi.waitFor(() => expect(statuses(second.received).at(-1)).toBe('DELIVERED'), { timeout: 5000 })
    expect(statuses(first.received)).not.toContain('DELIVERED')
    expect(services.updates.size).toBe(before + 1)
    await second.dispose()
    await subscribed(before)
  })

  it('shares over SSE the same way: one execution for two keys; revoking one ends only its stream', async () => {
    const s = await sendingSetup()
    const [a, b] = [await createKey(s.user.key, 'MONITOR'), await createKey(s.user.key, 'MONITOR')]
    const before = services.updates.size
    const first = await sseSubscribe(app.url, a, { campaignId: s.campaignId })
    const second = await sseSubscribe(app.url, b, { campaignId: s.campaignId })
    const one = await sent(s)
    for (const sub of [first, second]) await vi.waitFor(() => expect(statuses(sub.received)).toContain('QUEUED'), { timeout: 5000 })
    // Both are open and have had the same update: one execution serves them.
    expect(services.updates.size).toBe(before + 1)
    await revokeFirstOfTwoMonitors(s)
    await first.ended
    await deliverCallback(one.sid, 'delivered')
    await vi.waitFor(() => expect(statuses(second.received).at(-1)).toBe('DELIVERED'), { timeout: 5000 })
    expect(statuses(first.received)).not.toContain('DELIVERED')
    expect(services.updates.size).toBe(before + 1)
    second.close()
    await subscribed(before)
  })
})

describe('reconciler', () => {
  it('fixes a delivery whose callbacks were dropped, from Twilio’s view of the message', async () => {
    const s = await sendingSetup()
    const { id, sid } = await sent(s)
    const m = twilio.messages.get(sid)
    if (m) Object.assign(m.resource, { status: 'undelivered', error_code: 30007 })
    expect(await services.reconciler.once(60_000)).toBe(0)
    expect(await services.reconciler.once(0)).toBeGreaterThanOrEqual(1)
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'UNDELIVERED', errorCode: '30007' })
    expect(await events(id)).toEqual(['PENDING:API', 'QUEUED:DISPATCHER', 'UNDELIVERED:RECONCILER'])
    const fetches = twilio.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/Messages/${sid}.json`))
    expect(fetches.length).toBe(1)
  })
})
