import { beforeAll, describe, expect, it } from 'vitest'
import type { PageFilter, PageQuery } from '../src/stores/deliveryPages.js'
import { db, services } from './support/helpers.js'

const pages = services.stores.deliveryPages
const ORDER = [{ createdAt: 'desc' }, { id: 'desc' }] as const
const prismaPage = (query: PageQuery, where: PageFilter) => db.smsDelivery.findMany({ ...(query as object), where, orderBy: [...ORDER] })

/** A user with an action, a campaign and `n` deliveries, three of them sharing each creation time; each with events. */
async function owner(email: string, n: number) {
  const user = await db.user.create({ data: { email, enabledProviders: 'ATLAS' } })
  const action = await db.smsAction.create({
    data: {
      userId: user.id,
      name: 'Booking',
      liveName: 'Booking',
      description: 'Sends the booking',
      provider: 'ATLAS',
      messageTemplate: 'Hi {{name}}',
    },
  })
  const campaign = await db.campaign.create({ data: { userId: user.id, name: 'Spring', deliveryStatusTool: true } })
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const d = await db.smsDelivery.create({
      data: {
        userId: user.id,
        smsActionId: action.id,
        campaignId: campaign.id,
        callId: `call-${i % 4}`,
        to: '+14155550123',
        body: `Text ${i}`,
        bodyLength: i % 2 ? 6 : null,
        provider: 'ATLAS',
        status: i % 3 ? 'DELIVERED' : 'FAILED',
        errorCode: i % 3 ? null : '30003',
        segments: 1 + (i % 2),
        encoding: 'GSM7',
        sandbox: i % 2 === 0,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 3))),
        deliveredAt: i % 3 ? new Date(Date.UTC(2026, 0, 1, 1)) : null,
        tenthsToDelivered: i % 3 ? 12 : null,
      },
    })
    await db.smsDeliveryEvent.createMany({
      data: ['PENDING', 'QUEUED', i % 3 ? 'DELIVERED' : 'FAILED'].map((status, k) => ({
        deliveryId: d.id,
        status: status as 'PENDING',
        source: 'API',
        at: new Date(Date.UTC(2026, 0, 1, 0, i, k)),
      })),
    })
    if (i % 5 === 0) await db.duplicateSend.create({ data: { providerMessageId: `SMdup${email}${i}`, deliveryId: d.id } })
    ids.push(d.id)
  }
  return { userId: user.id, actionId: action.id, campaignId: campaign.id, ids }
}

let a: Awaited<ReturnType<typeof owner>>
let b: Awaited<ReturnType<typeof owner>>
beforeAll(async () => {
  a = await owner('pages-a@example.com', 23)
  b = await owner('pages-b@example.com', 4)
})

const RELATIONS = {
  smsAction: { select: { id: true, name: true, messageTemplate: true, maxPerCall: true, enabled: true, createdAt: true } },
  campaign: { select: { id: true, name: true, deliveryStatusTool: true } },
  events: { orderBy: [{ at: 'asc' }, { id: 'asc' }] },
  duplicates: { orderBy: { detectedAt: 'asc' }, select: { providerMessageId: true } },
}

describe('pages of deliveries read in SQL', () => {
  it.each([
    ['the first page, nothing else', () => ({ take: 11, skip: 0 })],
    ['every relation smsDeliveries asks for', () => ({ take: 30, skip: 0, include: RELATIONS })],
    ['all of an action', () => ({ take: 5, skip: 0, include: { smsAction: true } })],
    ['after a cursor whose creation time two others share', () => ({ take: 6, skip: 1, cursor: { id: a.ids[10] }, include: RELATIONS })],
    ['from a cursor, the cursor included', () => ({ take: 4, skip: 0, cursor: { id: a.ids[7] } })],
    ['after the last one', () => ({ take: 4, skip: 1, cursor: { id: a.ids[0] } })],
    ['after a cursor that does not exist', () => ({ take: 4, skip: 1, cursor: { id: 'missing' } })],
    ['after another user’s delivery (positions, never shows theirs)', () => ({ take: 50, skip: 1, cursor: { id: b.ids[2] } })],
  ] as const)('answer %s as Prisma does', async (_name, query) => {
    const page = await pages.read(query() as PageQuery, { userId: a.userId })
    expect(page).toBeDefined()
    expect(page).toEqual(await prismaPage(query() as PageQuery, { userId: a.userId }))
  })

  it('let the event loop turn between their statements when asked to, and answer the same', async () => {
    const query = { take: 30, skip: 0, include: RELATIONS } as PageQuery
    let turns = 0
    const between = () => new Promise<void>((resolve) => setImmediate(() => resolve(void turns++)))
    expect(await pages.read(query, { userId: a.userId }, between)).toEqual(await prismaPage(query, { userId: a.userId }))
    expect(turns).toBe(Object.keys(RELATIONS).length)
  })

  it.each([
    ['by campaign', () => ({ userId: a.userId, campaignId: a.campaignId })],
    ['by call', () => ({ userId: a.userId, callId: 'call-2' })],
    ['by status', () => ({ userId: a.userId, status: 'FAILED' as const })],
    ['by another user’s campaign (none)', () => ({ userId: a.userId, campaignId: b.campaignId })],
    ['of the other user', () => ({ userId: b.userId })],
  ])('filter %s as Prisma does', async (_name, filter) => {
    const query = { take: 9, skip: 0, include: RELATIONS } as PageQuery
    const page = await pages.read(query, filter())
    expect(page).toEqual(await prismaPage(query, filter()))
    expect(page?.every((d) => d.userId === filter().userId)).toBe(true)
  })

  it.each([
    ['backwards (last/before)', { take: -5, skip: 0 }],
    [
      'a nested relation of an action',
      { take: 5, skip: 0, include: { campaign: { select: { id: true, smsActions: { select: { smsActionId: true } } } } } },
    ],
    ['a relation it does not read', { take: 5, skip: 0, include: { webhookMessages: true } }],
    ['events in another order', { take: 5, skip: 0, include: { events: { orderBy: { at: 'desc' } } } }],
    ['a cursor on another unique field', { take: 5, skip: 0, cursor: { providerMessageId: 'SM1' } }],
  ])('leave %s to Prisma', async (_name, query) => {
    expect(await pages.read(query as PageQuery, { userId: a.userId })).toBeUndefined()
  })
})
