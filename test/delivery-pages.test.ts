import { readFileSync } from 'node:fs'
import { buildSchema, type GraphQLObjectType, getNamedType, isLeafType } from 'graphql'
import { beforeAll, describe, expect, it } from 'vitest'
import type { PageFilter, PageQuery } from '../src/stores/deliveryPages.js'
import { createUser, db, gql, services } from './support/helpers.js'

const pages = services.stores.deliveryPages
const ORDER = [{ createdAt: 'desc' }, { id: 'desc' }] as const
const prismaPage = (query: PageQuery, where: PageFilter) => db.smsDelivery.findMany({ ...(query as object), where, orderBy: [...ORDER] })

/** A user (with an OWNER key) with an action, a campaign and `n` deliveries, three of them sharing each creation time; each with events. */
async function owner(n: number) {
  const user = await createUser(['ATLAS'])
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
    if (i % 5 === 0) await db.duplicateSend.create({ data: { providerMessageId: `SMdup${user.id}${i}`, deliveryId: d.id } })
    ids.push(d.id)
  }
  return { userId: user.id, key: user.key, actionId: action.id, campaignId: campaign.id, ids }
}

let a: Awaited<ReturnType<typeof owner>>
let b: Awaited<ReturnType<typeof owner>>
beforeAll(async () => {
  a = await owner(23)
  b = await owner(4)
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
  ] as const)('answer %s as Prisma does', async (_name, query) => {
    const page = await pages.read(query() as PageQuery, { userId: a.userId })
    expect(page).toBeDefined()
    expect(page).toEqual(await prismaPage(query() as PageQuery, { userId: a.userId }))
  })

  it('answer nothing after another user’s delivery, as after one that does not exist (Prisma would page from its time)', async () => {
    const query = { take: 50, skip: 1, cursor: { id: b.ids[2] } } as PageQuery
    expect(await prismaPage(query, { userId: a.userId })).not.toEqual([])
    expect(await pages.read(query, { userId: a.userId })).toEqual([])
  })

  it('let the event loop turn between their statements when asked to, and answer the same', async () => {
    const query = { take: 30, skip: 0, include: RELATIONS } as PageQuery
    let turns = 0
    const between = () => new Promise<void>((resolve) => setImmediate(() => resolve(void turns++)))
    expect(await pages.read(query, { userId: a.userId }, { between })).toEqual(await prismaPage(query, { userId: a.userId }))
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

describe('pages read with only the columns their fields need', () => {
  it('hold the columns asked, the id and the keys of the relations read, as Prisma selects them', async () => {
    const include = { smsAction: RELATIONS.smsAction, events: RELATIONS.events }
    const query = { take: 8, skip: 1, cursor: { id: a.ids[12] } }
    const page = await pages.read({ ...query, include }, { userId: a.userId }, { columns: ['status', 'body'] })
    const select = { id: true, status: true, body: true, smsActionId: true, ...include }
    expect(page).toEqual(
      await db.smsDelivery.findMany({ ...query, select: select as never, where: { userId: a.userId }, orderBy: [...ORDER] }),
    )
    expect(Object.keys(page?.[0] ?? {}).sort()).toEqual(['body', 'events', 'id', 'smsAction', 'smsActionId', 'status'])
  })

  it('read every column when one asked is not a column', async () => {
    const query = { take: 3, skip: 0 } as PageQuery
    expect(await pages.read(query, { userId: a.userId }, { columns: ['status', 'nothing'] })).toEqual(
      await prismaPage(query, { userId: a.userId }),
    )
  })

  const schema = buildSchema(readFileSync('schema.graphql', 'utf8'))
  /** A field with the scalar fields of its type, if it has one. */
  const selectionOf = (type: GraphQLObjectType, name: string) => {
    const fieldType = getNamedType(type.getFields()[name]?.type)
    if (isLeafType(fieldType)) return name
    const leaves = Object.values((fieldType as GraphQLObjectType).getFields()).filter((f) => isLeafType(getNamedType(f.type)))
    return `${name} { ${leaves.map((f) => f.name).join(' ')} }`
  }
  const delivery = schema.getType('SmsDelivery') as GraphQLObjectType
  const everyField = Object.keys(delivery.getFields()).map((name) => selectionOf(delivery, name))
  const pageOf = async (selection: string, fragments = '') => {
    const r = await gql(`{ smsDeliveries(first: 30) { edges { node { ${selection} } } } } ${fragments}`, {}, a.key)
    expect(r.errors).toBeUndefined()
    const page = r.data?.smsDeliveries as { edges: { node: Record<string, unknown> }[] } | undefined
    if (!page) throw new Error(JSON.stringify(r))
    return page.edges.map((e) => e.node)
  }

  it('answer every field of a delivery as smsDelivery(id) reads it through Prisma', async () => {
    const page = await pageOf(everyField.join(' '))
    expect(page).toHaveLength(23)
    for (const node of page) {
      const one = await gql(`query($id: ID!) { smsDelivery(id: $id) { ${everyField.join(' ')} } }`, { id: node.id }, a.key)
      expect(one.data?.smsDelivery).toEqual(node)
    }
  })

  it.each(Object.keys(delivery.getFields()))('answer %s asked alone as when every field is asked', async (name) => {
    const every = await pageOf(everyField.join(' '))
    const alone = await pageOf(`... on SmsDelivery { ${selectionOf(delivery, name)} }`)
    expect(alone).toEqual(every.map((node) => ({ [name]: node[name] })))
  })

  it('read the fields of named fragments, aliased or not', async () => {
    const every = await pageOf(everyField.join(' '))
    const page = await pageOf(
      '...Lengths',
      'fragment Lengths on SmsDelivery { length: bodyLength ... on SmsDelivery { campaign { name } } }',
    )
    expect(page).toEqual(every.map((node) => ({ length: node.bodyLength, campaign: { name: (node.campaign as { name: string }).name } })))
  })
})

describe('the action and campaign of deliveries read without them', () => {
  const statements = async () => (await services.metrics.dbQueries.get()).values[0]?.value ?? 0
  /** The statements one operation ran, and its data. */
  const counted = async (query: string, variables: Record<string, unknown> = {}) => {
    const before = await statements()
    const r = await gql(query, variables, a.key)
    expect(r.errors).toBeUndefined()
    return { data: r.data as Record<string, unknown>, ran: (await statements()) - before }
  }
  const names = { smsAction: { id: '', name: 'Booking' }, campaign: { id: '', name: 'Spring' } }
  const expected = () => ({ smsAction: { ...names.smsAction, id: a.actionId }, campaign: { ...names.campaign, id: a.campaignId } })
  const FIELDS = 'smsAction { id name } campaign { id name }'

  it('answer them for one delivery, a page Prisma reads and a campaign’s deliveries', async () => {
    const one = await counted(`query($id: ID!) { smsDelivery(id: $id) { ${FIELDS} } }`, { id: a.ids[3] })
    expect(one.data.smsDelivery).toEqual(expected())
    const backwards = await counted(`{ smsDeliveries(last: 7) { edges { node { ${FIELDS} } } } }`)
    expect((backwards.data.smsDeliveries as { edges: { node: unknown }[] }).edges.map((e) => e.node)).toEqual(Array(7).fill(expected()))
    const query = `query($id: ID!) { campaign(id: $id) { deliveries(first: 20) { edges { node { ${FIELDS} } } } } }`
    const page = await counted(query, { id: a.campaignId })
    const nodes = (page.data.campaign as { deliveries: { edges: { node: unknown }[] } }).deliveries.edges.map((e) => e.node)
    expect(nodes).toEqual(Array(20).fill(expected()))
  })

  it('read the actions and the campaigns of a page in one statement each, whatever its size', async () => {
    const user = await createUser(['ATLAS'])
    const made: { actionId: string; campaignId: string }[] = []
    for (let i = 0; i < 6; i++) {
      const action = await db.smsAction.create({
        data: { userId: user.id, name: `A${i}`, liveName: `A${i}`, description: 'd', provider: 'ATLAS', messageTemplate: 'Hi' },
      })
      const campaign = await db.campaign.create({ data: { userId: user.id, name: `C${i}` } })
      made.push({ actionId: action.id, campaignId: campaign.id })
    }
    for (let i = 0; i < 12; i++) {
      const { actionId, campaignId } = made[i % 6] as (typeof made)[number]
      await db.smsDelivery.create({
        data: {
          userId: user.id,
          smsActionId: actionId,
          campaignId,
          callId: 'c',
          to: '+14155550123',
          body: 'x',
          provider: 'ATLAS',
          segments: 1,
          encoding: 'GSM7',
        },
      })
    }
    const query = `query($n: Int!) { smsDeliveries(last: $n) { edges { node { ${FIELDS} } } } }`
    const run = async (n: number) => {
      const before = await statements()
      const r = await gql(query, { n }, user.key)
      expect(r.errors).toBeUndefined()
      const nodes = (r.data as { smsDeliveries: { edges: { node: { smsAction: { name: string }; campaign: { name: string } } }[] } })
        .smsDeliveries.edges
      return { names: nodes.map((e) => `${e.node.smsAction.name}/${e.node.campaign.name}`), ran: (await statements()) - before }
    }
    const two = await run(2)
    const twelve = await run(12)
    expect(new Set(twelve.names)).toEqual(new Set(made.map((_, i) => `A${i}/C${i}`)))
    expect(twelve.ran).toBe(two.ran)
  })

  it('answer what the action holds in relations of its own, on a page read in SQL', async () => {
    await db.campaignSmsAction.create({ data: { campaignId: a.campaignId, smsActionId: a.actionId } })
    const page = await counted(`{ smsDeliveries(first: 12) { edges { node { id smsAction { name campaigns { name } } } } } }`)
    const nodes = (page.data.smsDeliveries as { edges: { node: { smsAction: unknown } }[] }).edges.map((e) => e.node.smsAction)
    expect(nodes).toEqual(Array(12).fill({ name: 'Booking', campaigns: [{ name: 'Spring' }] }))
  })
})
