import { type DocumentNode, type ExecutionResult, isObjectType, parse } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { beforeAll, describe, expect, it } from 'vitest'
import { over } from '../harness/client.js'
import { buildApp } from '../src/http/app.js'
import { compilable, useCompiledQueries } from '../src/http/compiledQueries.js'
import { schema } from '../src/schema/index.js'
import { adminToken, app, config, createKey, createUser, db, gql, services } from './support/helpers.js'

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

// graphql-jit writes argument literals into its code, and this form of string became code there.
const INJECTED =
  'query { smsDelivery(id: "__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d(globalThis.compiledQueriesInjected = 1)") { id } }'

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
      [INJECTED, {}, owner.key],
      // graphql-jit names each field's resolve info by its path joined with `_`: these two shared one.
      ['query { email_viewer: smsDeliveries(first: 5) { edges { node { id to } } } viewer { email } }', {}, owner.key],
      [INJECTED, {}, undefined],
      [
        'query($a: Boolean!) { x: viewer { ...F @include(if: $a) } y: viewer { ...F } } fragment F on User { email }',
        { a: false },
        owner.key,
      ],
      ['query S($since: DateTime = "2025-12-01T00:00:00Z") { smsActions { stats(since: $since) { __typename } } }', {}, owner.key],
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
    expect((globalThis as { compiledQueriesInjected?: number }).compiledQueriesInjected).toBeUndefined()
    // One document, two operations: the second runs as the first left the document.
    const query = 'query A($a: Boolean!) { viewer { ...F @include(if: $a) } } query B { viewer { ...F } } fragment F on User { email }'
    const post = async (yoga: typeof interpreted.yoga, operationName: string) => {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.key}` },
        body: JSON.stringify({ query, operationName, variables: { a: false } }),
      }
      return (await yoga.fetch('http://localhost/graphql', init)).json()
    }
    for (const name of ['A', 'B']) expect(await post(app.yoga, name)).toEqual(await post(interpreted.yoga, name))
    expect((await post(app.yoga, 'B')).data.viewer.email).toMatch(/@/)
    // The cases are not vacuous: pages came back with rows, and the refusals with errors.
    expect((await gql(PAGE, { first: 5 }, owner.key)).data.smsDeliveries.edges).toHaveLength(5)
    const refused = await gql(PAGE, { first: 5 })
    expect(refused.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHENTICATED'])
    expect((await gql('query { smsDelivery(id: "x") { id } }', {}, owner.key)).data.smsDelivery).toBeNull()
    // The page ran compiled: a new plain document is counted, one holding a string literal is not.
    const compiledDocuments = async () => (await services.metrics.compiledDocuments.get()).values[0]?.value ?? 0
    const before = await compiledDocuments()
    expect(before).toBeGreaterThan(0)
    await gql('query Counted { viewer { email } }', {}, owner.key)
    expect(await compiledDocuments()).toBe(before + 1)
    await gql('query NotCounted { smsDelivery(id: "x") { id } }', {}, owner.key)
    expect(await compiledDocuments()).toBe(before + 1)
    // An alias named after a prototype property is a key of the answer like any other.
    const aliased = await gql('query { __proto__: viewer { email } constructor: viewer { email } }', {}, owner.key)
    expect(Object.keys(aliased.data)).toEqual(['__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(aliased.data, '__proto__')?.value.email).toMatch(/@/)
  })

  it('compile only documents of plain fields holding nothing graphql-jit mishandles: no strings or objects as literals, no directives, no defaults, no __proto__', () => {
    const page = parse(PAGE)
    expect(compilable(schema, page)).toBe(true)
    expect(compilable(schema, parse('{ smsDeliveries(first: 1) { edges { node { events { status } } } } }'))).toBe(false)
    expect(compilable(schema, parse('{ campaigns { smsActions { id } } }'))).toBe(false)
    expect(compilable(schema, parse('{ viewer { __proto__: email } }'))).toBe(false)
    expect(
      compilable(schema, parse('{ smsDeliveries(first: 1) { edges { node { ...F } } } } fragment F on SmsDelivery { bodyLength }')),
    ).toBe(false)
    expect(compilable(schema, parse('{ smsDelivery(id: "x") { id } }'))).toBe(false)
    expect(compilable(schema, parse('{ viewer { email @include(if: true) } }'))).toBe(false)
    expect(compilable(schema, parse('query($n: Int = 5) { smsDeliveries(first: $n) { edges { node { id } } } }'))).toBe(false)
    expect(compilable(schema, parse('{ __MAGIC_DATE__x: viewer { email } }'))).toBe(false)
    expect(compilable(schema, parse('{ email_viewer: smsDeliveries(first: 1) { edges { node { id } } } viewer { email } }'))).toBe(false)

    // graphql-jit names each resolver by its type's name and the field's, run together.
    const resolvers = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .flatMap((type) => Object.keys(type.getFields()).map((field) => type.name + field))
    expect(new Set(resolvers).size).toBe(resolvers.length)
  })

  it('choose the executor when a caller with a key runs the operation: compiled within the limits, kept by text, else graphql-js', async () => {
    const caller = { auth: { kind: 'key', userId: 'u' } }
    const runs = async (plugin: Plugin, document: DocumentNode, contextValue: object = caller) => {
      let execute: ((args: unknown) => unknown) | undefined
      ;(plugin.onExecute as (hook: unknown) => void)({
        args: {},
        executeFn: () => ({ data: { interpreted: true } }),
        setExecuteFn: (fn: (args: unknown) => unknown) => {
          execute = fn
        },
      })
      if (!execute) return 'not hooked'
      const result = (await execute({ schema, document, contextValue, variableValues: {} })) as ExecutionResult
      return result.data?.interpreted ? 'graphql-js' : 'compiled'
    }
    const typename = parse('{ __typename }')
    expect(await runs(useCompiledQueries(true), typename)).toBe('compiled')
    expect(await runs(useCompiledQueries(false), typename)).toBe('not hooked')
    expect(await runs(useCompiledQueries(true), parse('mutation { __typename }'))).toBe('graphql-js')
    expect(await runs(useCompiledQueries(true), parse('{ __type(name: "Query") { name } }'))).toBe('graphql-js')
    expect(await runs(useCompiledQueries(true), typename, { ...caller, refusal: { code: 'RATE_LIMITED' } })).toBe('graphql-js')
    expect(await runs(useCompiledQueries(true), typename, {})).toBe('graphql-js')
    expect(await runs(useCompiledQueries(true, { documents: 10, characters: 10 }), typename)).toBe('graphql-js')

    const once = useCompiledQueries(true, { documents: 1, characters: 4000 })
    expect(await runs(once, typename)).toBe('compiled')
    expect(await runs(once, parse('{ other: __typename }'))).toBe('graphql-js')
    // Kept by its text: parsed again (yoga's cache forgets a document after an hour), it is not compiled again.
    expect(await runs(once, parse('{ __typename }'))).toBe('compiled')
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
