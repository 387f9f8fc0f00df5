import { beforeAll, describe, expect, it, vi } from 'vitest'
import { wsSubscribe } from '../harness/subscribers.js'
import { app, db, gql, mutate, sendingSetup, serviceLog, services, twilio } from './support/helpers.js'

beforeAll(() => app.start())
const INBOUND = 'http://localhost:4000/webhooks/twilio/inbound'
const CALLER = '+14155550123'
const NUMBER = '+14155550100'

type Setup = Awaited<ReturnType<typeof sendingSetup>>
const reply = (s: Setup, body: string, from = CALLER) => {
  if (!s.account) throw new Error('no Twilio account')
  return twilio.reply(s.account, from, NUMBER, body, INBOUND, app.url)
}
const OPT_OUTS = `query($phone: String, $sender: String, $after: String) {
  optOuts(first: 2, phone: $phone, sender: $sender, after: $after) {
    edges { node { id phone sender source createdAt } } pageInfo { hasNextPage endCursor } } }`
const optOuts = async (s: Setup, vars: Record<string, unknown> = {}) => (await gql(OPT_OUTS, vars, s.user.key)).data.optOuts
const ADD = `mutation($input: OptOutInput!) { addOptOut(input: $input) {
  ... on AddOptOutSuccess { optOut { id phone sender source } } ... on Error { code message } } }`
const REMOVE = `mutation($id: ID!) { removeOptOut(id: $id) { ... on RemoveOptOutSuccess { removedId } ... on Error { code } } }`

describe('inbound replies (STOP and START)', () => {
  it('records STOP as an opt-out: the next send is refused OPTED_OUT without a provider call', async () => {
    const s = await sendingSetup()
    expect((await s.send()).__typename).toBe('SendSmsSuccess')
    const r = await reply(s, ' stop ')
    expect(r.status).toBe(200)
    expect(r.body).toContain('<Response/>')
    const creates = twilio.messageCreates().length
    const refused = await s.send({ idempotencyKey: 'after-stop' })
    expect(refused).toMatchObject({ code: 'OPTED_OUT', recorded: { status: 'REJECTED' } })
    expect(twilio.messageCreates().length).toBe(creates)
    const list = await optOuts(s)
    expect(list.edges.map((e: { node: unknown }) => e.node)).toEqual([
      expect.objectContaining({ phone: CALLER, sender: NUMBER, source: 'INBOUND_STOP' }),
    ])
  })

  it('records START as an opt-in: a send goes out again', async () => {
    const s = await sendingSetup()
    expect((await reply(s, 'Unsubscribe')).status).toBe(200)
    expect((await s.send()).code).toBe('OPTED_OUT')
    expect((await reply(s, 'START')).status).toBe(200)
    expect((await optOuts(s)).edges).toEqual([])
    const creates = twilio.messageCreates().length
    expect((await s.send({ idempotencyKey: 'after-start' })).__typename).toBe('SendSmsSuccess')
    expect(twilio.messageCreates().length).toBe(creates + 1)
  })

  it('acts on keywords only: any other reply changes nothing and is neither stored, logged nor published', async () => {
    const s = await sendingSetup()
    const ws = await wsSubscribe(app.url, s.agent, { callId: 'call-1' })
    await vi.waitFor(() => expect(services.updates.size).toBeGreaterThan(0))
    const secret = 'please stop texting me at my home 221B'
    expect((await reply(s, secret)).status).toBe(200)
    expect((await optOuts(s)).edges).toEqual([])
    expect(serviceLog()).not.toContain('221B')
    expect(JSON.stringify(ws.received)).not.toContain('221B')
    const stored = await db.smsDelivery.findMany({ where: { userId: s.user.id } })
    expect(JSON.stringify(stored)).not.toContain('221B')
    await ws.dispose()
  })

  it('refuses an unsigned or wrongly signed reply (403) and a malformed one (400), changing nothing', async () => {
    const s = await sendingSetup()
    const forged = { ...(s.account as NonNullable<Setup['account']>), token: 'f'.repeat(32) }
    expect((await twilio.reply(forged, CALLER, NUMBER, 'STOP', INBOUND, app.url)).status).toBe(403)
    const other = await sendingSetup()
    const bad = await fetch(`${app.url}/webhooks/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'From=nonsense&Body=STOP',
    })
    expect(bad.status).toBe(400)
    expect((await fetch(`${app.url}/webhooks/twilio/inbound`)).status).toBe(405)
    expect((await optOuts(other)).edges).toEqual([])
  })
})

describe('owners manage opt-outs', () => {
  it('adds, lists (paged, filtered by number and sender) and removes opt-outs', async () => {
    const s = await sendingSetup()
    const added = []
    for (const phone of ['+14155550131', '+14155550132', '+14155550133']) {
      const r = await mutate(
        'addOptOut',
        ADD,
        { input: { phone: phone === '+14155550133' ? '(415) 555-0133' : phone, sender: NUMBER } },
        s.user.key,
      )
      expect(r.optOut).toMatchObject({ phone, sender: NUMBER, source: 'OWNER' })
      added.push(r.optOut.id)
    }
    const atlas = await mutate('addOptOut', ADD, { input: { phone: '+1 415 555 0134', sender: 'atlas' } }, s.user.key)
    expect(atlas.optOut).toMatchObject({ phone: '+14155550134', sender: 'ATLAS' })
    const first = await optOuts(s, { sender: NUMBER })
    expect(first.edges).toHaveLength(2)
    expect(first.pageInfo.hasNextPage).toBe(true)
    const rest = await optOuts(s, { sender: NUMBER, after: first.pageInfo.endCursor })
    const ids = [...first.edges, ...rest.edges].map((e: { node: { id: string } }) => e.node.id)
    expect(ids.sort()).toEqual([...added].sort())
    expect((await optOuts(s, { phone: '+14155550132' })).edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([added[1]])
    expect((await s.send({ to: '+14155550132' })).code).toBe('OPTED_OUT')
    expect(await mutate('removeOptOut', REMOVE, { id: added[1] }, s.user.key)).toEqual({ removedId: added[1] })
    expect((await mutate('removeOptOut', REMOVE, { id: added[1] }, s.user.key)).code).toBe('NOT_FOUND')
    expect((await s.send({ to: '+14155550132', idempotencyKey: 'again' })).__typename).toBe('SendSmsSuccess')
  })

  it('keeps each owner to their own opt-outs and refuses bad numbers with a typed error', async () => {
    const [a, b] = [await sendingSetup(), await sendingSetup()]
    const r = await mutate('addOptOut', ADD, { input: { phone: '+14155550141', sender: NUMBER } }, a.user.key)
    expect((await mutate('removeOptOut', REMOVE, { id: r.optOut.id }, b.user.key)).code).toBe('NOT_FOUND')
    expect((await optOuts(b)).edges).toEqual([])
    expect((await mutate('addOptOut', ADD, { input: { phone: 'not a number', sender: NUMBER } }, a.user.key)).code).toBe('VALIDATION')
    expect((await mutate('addOptOut', ADD, { input: { phone: '+14155550141', sender: 'nobody' } }, a.user.key)).code).toBe('VALIDATION')
    const again = await mutate('addOptOut', ADD, { input: { phone: '+14155550141', sender: NUMBER } }, a.user.key)
    expect(again.optOut.id).toBe(r.optOut.id)
  })
})
