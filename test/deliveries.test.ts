import { describe, expect, it } from 'vitest'
import { db, gql, sendingSetup, services } from './support/helpers.js'

describe('delivery queries', () => {
  it('pages newest first with cursors, filters by call, campaign and status, and never shows others’ deliveries', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    const other = await sendingSetup()
    const base = {
      userId: s.user.id,
      smsActionId: s.actionId,
      campaignId: s.campaignId,
      to: '+14155550123',
      body: 'x',
      provider: 'TWILIO' as const,
      segments: 1,
      encoding: 'GSM7' as const,
    }
    for (let i = 0; i < 5; i++) {
      await db.smsDelivery.create({
        data: {
          ...base,
          callId: i < 3 ? 'call-a' : 'call-b',
          status: i === 4 ? 'DELIVERED' : 'QUEUED',
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        },
      })
    }
    await other.send()
    const page = async (after?: string) =>
      (
        await gql(
          'query($after: String) { smsDeliveries(first: 2, after: $after) { edges { cursor node { createdAt } } pageInfo { hasNextPage endCursor } } }',
          { after },
          s.agent,
        )
      ).data.smsDeliveries
    const seen: string[] = []
    let cursor: string | undefined
    for (;;) {
      const p = await page(cursor)
      seen.push(...p.edges.map((e: { node: { createdAt: string } }) => e.node.createdAt))
      if (!p.pageInfo.hasNextPage) break
      cursor = p.pageInfo.endCursor
    }
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()))
    const forged = await gql('{ smsDeliveries(first: 2, after: "not-a-cursor") { edges { cursor } } }', {}, s.agent)
    expect(forged.errors[0]).toMatchObject({ message: 'Invalid cursor: not-a-cursor', extensions: { code: 'VALIDATION' } })
    // A cursor naming another user's delivery reads nothing, forwards (SQL) as backwards (Prisma):
    // before, it paged the caller's deliveries from that delivery's time, telling that it exists and when.
    await db.smsDelivery.create({
      data: {
        ...base,
        userId: other.user.id,
        smsActionId: other.actionId,
        campaignId: other.campaignId,
        callId: 'call-o',
        status: 'QUEUED',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 2, 500)),
      },
    })
    const theirs = (await gql('{ smsDeliveries(first: 10) { edges { cursor } } }', {}, other.agent)).data.smsDeliveries.edges
    const foreign = theirs.at(-1).cursor
    const across = await gql(
      'query($c: String) { after: smsDeliveries(first: 5, after: $c) { edges { cursor } } before: smsDeliveries(last: 5, before: $c) { edges { cursor } } }',
      { c: foreign },
      s.agent,
    )
    expect(across.data).toEqual({ after: { edges: [] }, before: { edges: [] } })
    const inCampaign = await gql(
      'query($id: ID!, $c: String) { campaign(id: $id) { after: deliveries(first: 5, after: $c) { edges { cursor } } before: deliveries(last: 5, before: $c) { edges { cursor } } } }',
      { id: s.campaignId, c: foreign },
      s.agent,
    )
    expect(inCampaign.data.campaign).toEqual({ after: { edges: [] }, before: { edges: [] } })
    // The campaign's own cursors page as before.
    const own = (
      await gql('query($id: ID!) { campaign(id: $id) { deliveries(first: 2) { pageInfo { endCursor } } } }', { id: s.campaignId }, s.agent)
    ).data.campaign.deliveries.pageInfo.endCursor
    const next = await gql(
      'query($id: ID!, $c: String) { campaign(id: $id) { deliveries(first: 5, after: $c) { edges { cursor } } } }',
      { id: s.campaignId, c: own },
      s.agent,
    )
    expect(next.data.campaign.deliveries.edges).toHaveLength(3)
    const filtered = await gql(
      'query($c: ID!) { byCall: smsDeliveries(callId: "call-a") { edges { node { callId } } } delivered: smsDeliveries(status: DELIVERED) { edges { node { status } } } campaign(id: $c) { deliveries(status: QUEUED, first: 10) { edges { node { status } } } } }',
      { c: s.campaignId },
      s.agent,
    )
    expect(filtered.data.byCall.edges).toHaveLength(3)
    expect(filtered.data.delivered.edges).toEqual([{ node: { status: 'DELIVERED' } }])
    expect(filtered.data.campaign.deliveries.edges).toHaveLength(4)
  })

  it('reads a page with each delivery’s action, campaign and events in as many statements for 2 rows as for 20', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    for (let i = 0; i < 20; i++) await s.send({ call: { callId: `page-${i}`, customerPhoneNumber: '+14155550123' } })
    const statements = async (first: number) => {
      const before = (await services.metrics.dbQueries.get()).values[0]?.value ?? 0
      const r = await gql(
        'query($first: Int) { smsDeliveries(first: $first) { edges { node { id smsAction { name } campaign { name } events { status } } } } }',
        { first },
        s.agent,
      )
      expect(r.data.smsDeliveries.edges).toHaveLength(first)
      return ((await services.metrics.dbQueries.get()).values[0]?.value ?? 0) - before
    }
    const few = await statements(2)
    expect(few).toBeGreaterThan(0)
    expect(await statements(20)).toBe(few)
  })
})
