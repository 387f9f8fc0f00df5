import { parse } from 'graphql'
import { beforeAll, describe, expect, it } from 'vitest'
import { over } from '../harness/client.js'
import { buildApp } from '../src/http/app.js'
import { compilable, useCompiledQueries } from '../src/http/compiledQueries.js'
import { schema } from '../src/schema/index.js'
import { adminToken, config, createKey, createUser, db, gql, services } from './support/helpers.js'

// The same service with every operation on graphql-js' executor (GRAPHQL_COMPILED_QUERIES=false).
const interpreted = buildApp({ ...services, config: { ...config, graphql: { ...config.graphql, compiledQueries: false } } })
const plain = over((url, init) => interpreted.yoga.fetch(url, init))

const PAGE = `query Page($first: Int, $after: String, $status: SmsDeliveryStatus, $callId: String) {
  smsDeliveries(first: $first, after: $after, status: $status, callId: $callId) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { __typename id status to callId body provider segments encoding errorCode sandbox createdAt updatedAt
      smsAction { id name provider enabled } campaign { id name } } }
  }
}`

let owner: { key: string; monitor: string; ids: string[] }

beforeAll(async () => {
  const user = await createUser(['ATLAS'])
  const action = await db.smsAction.create({
    data: { userId: user.id, name: 'Booking', liveName: 'Booking', description: 'Sends the booking', provider: 'ATLAS' },
  })
  const spring = await db.campaign.create({ data: { userId: user.id, name: 'Spring' } })
  const autumn = await db.campaign.create({ data: { userId: user.id, name: 'Autumn' } })
  const ids: string[] = []
  for (let i = 0; i < 12; i++) {
    const d = await db.smsDelivery.create({
      data: {
        userId: user.id,
        smsActionId: action.id,
        campaignId: (i % 2 ? spring : autumn).id,
        callId: `call-${i % 3}`,
        to: '+14155550123',
        body: `Text ${i}`,
        provider: 'ATLAS',
        status: i % 4 ? 'DELIVERED' : 'FAILED',
        errorCode: i % 4 ? null : '30003',
        segments: 1,
        encoding: 'GSM7',
        sandbox: true,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 2))),
      },
    })
    ids.push(d.id)
  }
  await db.smsDeliveryEvent.createMany({ data: ids.map((deliveryId) => ({ deliveryId, status: 'PENDING' as const, source: 'API' })) })
  owner = { key: user.key, monitor: await createKey(user.key, 'MONITOR'), ids }
})

describe('compiled queries', () => {
  it('answer every shape exactly as the interpreting executor does: pages, cursors, filters, fragments, aliases, variables, errors and refusals', async () => {
    const cases: [string, Record<string, unknown>, string | undefined][] = [
      [PAGE, { first: 5 }, owner.key],
      [PAGE, { first: 5, after: owner.ids[4] }, owner.key],
      [PAGE, { first: 50, status: 'FAILED' }, owner.key],
      [PAGE, { first: 3, callId: 'call-1' }, owner.key],
      // Heavy (cost over PACED_COST): its lists complete a chunk per turn of the event loop.
      [PAGE, { first: 100 }, owner.key],
      [PAGE, { first: 5, after: 'not-a-cursor' }, owner.key],
      [PAGE.replaceAll('\n', '\r\n'), { first: 5, after: 'not-a-cursor' }, owner.key],
      [PAGE, { first: 'five' }, owner.key],
      [PAGE, { first: 5 }, undefined],
      [PAGE, { first: 5 }, 'sk_not_a_key'],
      [
        `query { a: smsDeliveries(first: 2) { edges { node { ...D } } } b: smsDeliveries(first: 1, status: DELIVERED) { edges { node { id } } } }
         fragment D on SmsDelivery { id status smsAction { ... on SmsAction { name } } }`,
        {},
        owner.key,
      ],
      [`query { smsDelivery(id: "${owner.ids[3]}") { id body status campaign { name } } viewer { email } }`, {}, owner.key],
      ['query { smsDelivery(id: "nope") { id } }', {}, owner.key],
      ['query { campaigns { id name smsActions { id name } } smsActions { id name campaigns { id } } }', {}, owner.key],
      ['query { smsDeliveries(first: 2) { edges { node { id events { status } duplicateMessageIds } } } }', {}, owner.key],
      ['query { __proto__: smsDeliveries(first: 1) { edges { node { id } } } constructor: viewer { toString: email } }', {}, owner.key],
      ['query { viewer { __proto__: __typename email } }', {}, owner.key],
      ['query { users { id } }', {}, owner.key],
      ['query { users { email } }', {}, adminToken],
      ['query { apiKeys { name role prefix revokedAt } }', {}, owner.monitor],
      ['query { apiKeys { name role prefix revokedAt } }', {}, owner.key],
      [
        `query S($since: DateTime) { smsActions { name stats(since: $since) { __typename ... on SmsStats { total byStatus { status count } deliveryRate topErrorCodes { code count } } ... on Error { code message } } } }`,
        { since: '2025-12-01T00:00:00Z' },
        owner.key,
      ],
      ['query S($since: DateTime) { smsActions { stats(since: $since) { __typename } } }', { since: 'yesterday' }, owner.key],
      [
        'query { smsActions { stats(since: "2026-02-01T00:00:00Z", until: "2026-01-01T00:00:00Z") { __typename ... on Error { code } } } }',
        {},
        owner.key,
      ],
      ['query { callTextStatus(callId: "call-1") { sentence deliveries { id status } } }', {}, owner.monitor],
      ['query { optOuts(first: 5) { edges { node { phone } } } }', {}, owner.key],
    ]
    for (const [query, variables, key] of cases) {
      const compiled = await gql(query, variables, key)
      expect(compiled, query).toEqual(await plain(query, variables, key))
    }
    // The cases are not vacuous: pages came back with rows, and the refusals with errors.
    expect((await gql(PAGE, { first: 5 }, owner.key)).data.smsDeliveries.edges).toHaveLength(5)
    const refused = await gql(PAGE, { first: 5 })
    expect(refused.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHENTICATED'])
    expect((await gql('query { smsDelivery(id: "x") { id } }', {}, owner.key)).data.smsDelivery).toBeNull()
    // An alias named after a prototype property is a key of the answer like any other.
    const aliased = await gql('query { __proto__: viewer { email } constructor: viewer { email } }', {}, owner.key)
    expect(Object.keys(aliased.data)).toEqual(['__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(aliased.data, '__proto__')?.value.email).toMatch(/@/)
  })

  it('run queries of plain fields compiled, and leave mutations, subscriptions and fields Pothos plans per row to graphql-js', () => {
    const page = parse(PAGE)
    expect(compilable(schema, page)).toBe(true)
    expect(compilable(schema, parse('{ smsDeliveries(first: 1) { edges { node { events { status } } } } }'))).toBe(false)
    expect(compilable(schema, parse('{ campaigns { smsActions { id } } }'))).toBe(false)
    expect(compilable(schema, parse('{ viewer { __proto__: email } }'))).toBe(false)
    expect(
      compilable(schema, parse('{ smsDeliveries(first: 1) { edges { node { ...F } } } } fragment F on SmsDelivery { bodyLength }')),
    ).toBe(false)

    const chosen = (on: boolean, source: string, operationName?: string) => {
      let replaced = false
      const hooks = useCompiledQueries(on).onExecute as (a: unknown) => void
      hooks({
        args: { schema, document: parse(source), operationName, contextValue: {} },
        executeFn: () => undefined,
        setExecuteFn: () => {
          replaced = true
        },
      })
      return replaced
    }
    expect(chosen(true, PAGE)).toBe(true)
    expect(chosen(false, PAGE)).toBe(false)
    expect(chosen(true, 'mutation { revokeApiKey(id: "x") { __typename } }')).toBe(false)
    expect(chosen(true, 'subscription { smsDeliveryUpdated(callId: "c") { delivery { id } } }')).toBe(false)
    expect(chosen(true, `${PAGE} query Other { viewer { email } }`, 'Missing')).toBe(false)
  })

  it('keeps a page at four statements: the key, the page, its actions and its campaigns', async () => {
    const count = async () => (await services.metrics.dbQueries.get()).values[0]?.value ?? 0
    await gql(PAGE, { first: 10 }, owner.key)
    const before = await count()
    const body = await gql(PAGE, { first: 10 }, owner.key)
    expect(body.data.smsDeliveries.edges).toHaveLength(10)
    expect((await count()) - before).toBe(4)
  })
})
