import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { app, clock, gql, mutate, sendingSetup, twilio } from './support/helpers.js'

beforeAll(() => app.start())
afterEach(() => clock.set(undefined))

const STATS = `stats(since: $since, until: $until) {
  __typename ... on SmsStats { total segmentsSent deliveryRate medianSecondsToDelivered byStatus { status count } topErrorCodes { code count description } }
  ... on ValidationError { code field } }`
const QUERY = `query($c: ID!, $a: ID!, $since: DateTime, $until: DateTime) {
  campaign(id: $c) { ${STATS} } smsAction(id: $a) { ${STATS} } viewer { ${STATS} } }`
const T0 = new Date('2026-11-20T10:00:00.000Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

async function sendAt(s: Awaited<ReturnType<typeof sendingSetup>>, key: string, extra: Record<string, unknown> = {}) {
  clock.set(T0)
  const r = await s.send({ call: { callId: `call-${key}`, customerPhoneNumber: '+14155550123' }, ...extra })
  expect(r.__typename).toBe('SendSmsSuccess')
  return r.delivery.providerMessageId as string
}
async function callbackAt(ms: number, sid: string, status: string, extra: Record<string, string> = {}) {
  clock.set(at(ms))
  expect(await twilio.statusCallback(sid, status, extra, { via: app.url })).toBe(200)
}

describe('delivery statistics per campaign, action and user', () => {
  it('counts statuses, segments, delivery rate, median time to delivered and top error codes', async () => {
    const s = await sendingSetup()
    const sids = [await sendAt(s, 'a'), await sendAt(s, 'b'), await sendAt(s, 'c'), await sendAt(s, 'd'), await sendAt(s, 'e')]
    await callbackAt(2_000, sids[0] as string, 'delivered')
    await callbackAt(4_300, sids[1] as string, 'delivered')
    await callbackAt(9_000, sids[2] as string, 'delivered')
    await callbackAt(10_000, sids[3] as string, 'undelivered', { ErrorCode: '30003' })
    await callbackAt(10_000, sids[4] as string, 'sent')
    twilio.recipientErrors.set('+14155550177', 21610)
    clock.set(T0)
    for (const callId of ['call-f', 'call-g'])
      expect((await s.send({ to: '+14155550177', call: { callId, customerPhoneNumber: '+14155550177' } })).code).toBe('OPTED_OUT')
    clock.set(undefined)

    const r = await gql(QUERY, { c: s.campaignId, a: s.actionId }, s.user.key)
    const want = {
      __typename: 'SmsStats',
      total: 7,
      segmentsSent: 5,
      deliveryRate: 0.6,
      medianSecondsToDelivered: 4.3,
      topErrorCodes: [
        // Twilio refused the first (21610); the opt-out it taught refused the second here.
        { code: '21610', count: 1, description: expect.stringContaining('STOP') },
        { code: '30003', count: 1, description: expect.stringContaining('Unreachable') },
        { code: 'OPTED_OUT', count: 1, description: expect.stringContaining('opted out') },
      ],
    }
    for (const scope of ['campaign', 'smsAction', 'viewer']) expect(r.data[scope].stats, scope).toMatchObject(want)
    const byStatus = Object.fromEntries(r.data.campaign.stats.byStatus.map((b: { status: string; count: number }) => [b.status, b.count]))
    expect(byStatus).toEqual({ PENDING: 0, QUEUED: 0, SENDING: 0, SENT: 1, DELIVERED: 3, UNDELIVERED: 1, FAILED: 1, REJECTED: 1 })
  })

  it('counts only the range asked for and only the scope’s own texts', async () => {
    const s = await sendingSetup()
    const other = await sendingSetup()
    await sendAt(s, 'in')
    await sendAt(other, 'elsewhere')
    const inRange = await gql(QUERY, { c: s.campaignId, a: s.actionId, since: at(-1), until: at(1) }, s.user.key)
    for (const scope of ['campaign', 'smsAction', 'viewer']) expect(inRange.data[scope].stats.total, scope).toBe(1)
    const before = await gql(QUERY, { c: s.campaignId, a: s.actionId, until: T0 }, s.user.key)
    expect(before.data.campaign.stats).toMatchObject({
      total: 0,
      segmentsSent: 0,
      deliveryRate: null,
      medianSecondsToDelivered: null,
      topErrorCodes: [],
    })
    const backwards = await gql(QUERY, { c: s.campaignId, a: s.actionId, since: at(1), until: at(-1) }, s.user.key)
    expect(backwards.data.campaign.stats).toEqual({ __typename: 'ValidationError', code: 'VALIDATION', field: 'since' })
    const bad = await gql(QUERY, { c: s.campaignId, a: s.actionId, since: 'yesterday' }, s.user.key)
    expect(bad.errors?.[0]?.message).toMatch(/DateTime/)
    // Dates no text can have (PostgreSQL refuses year 0) count what the range holds.
    const wide = await gql(
      QUERY,
      { c: s.campaignId, a: s.actionId, since: '0000-01-01T00:00:00Z', until: '9999-12-31T23:59:59Z' },
      s.user.key,
    )
    expect(wide.errors).toBeUndefined()
    for (const scope of ['campaign', 'smsAction']) expect(wide.data[scope].stats.total, scope).toBe(1)
  })

  it('rounds the time to delivered to the nearest tenth, halves up, on every database', async () => {
    const s = await sendingSetup()
    for (const [key, ms] of [
      ['half', 2_050],
      ['below', 2_049],
      ['above', 2_151],
    ] as const) {
      const sid = await sendAt(s, key)
      await callbackAt(ms, sid, 'delivered')
    }
    const stats = await gql(QUERY, { c: s.campaignId, a: s.actionId, since: at(-1), until: at(1) }, s.user.key)
    // 2.0, 2.1 and 2.2 s: the median of the three is the half, rounded up.
    expect(stats.data.campaign.stats.medianSecondsToDelivered).toBe(2.1)
  })

  it('reads at most 50 stats in one operation: past them, LIMIT_REACHED; the next operation reads its own 50', async () => {
    const s = await sendingSetup()
    const create = `mutation { createSmsAction(input: { name: "second", description: "Texts a link.", provider: ATLAS }) {
      ... on CreateSmsActionSuccess { smsAction { id } } } }`
    expect((await mutate('createSmsAction', create, {}, s.user.key)).smsAction.id).toBeTruthy()
    // Two actions, thirty aliases: sixty stats, each an aggregate of its own.
    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: smsActions { stats { __typename ... on Error { code message } } }`).join(' ')} }`
    const typenames = (r: { data: Record<string, { stats: { __typename: string } }[]> }) =>
      Object.values(r.data).flatMap((actions) => actions.map((a) => a.stats.__typename))
    const many = await gql(aliased(30), {}, s.user.key)
    expect(many.errors).toBeUndefined()
    const read = typenames(many)
    expect(read.filter((t) => t === 'SmsStats')).toHaveLength(50)
    expect(read.filter((t) => t === 'LimitReachedError')).toHaveLength(10)
    expect(JSON.stringify(many)).toContain('at most 50 stats')
    for (const _ of [1, 2]) expect(typenames(await gql(aliased(25), {}, s.user.key)).every((t) => t === 'SmsStats')).toBe(true)
  })
})
