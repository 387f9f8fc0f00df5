import { describe, expect, it, vi } from 'vitest'
import { sseSubscribe } from '../harness/subscribers.js'

// Nothing floods a phone, nothing breaks the service: limits per recipient and per user, refusals
// recorded at a bounded rate, inputs no field accepts, and logs that keep numbers and bodies out.
vi.hoisted(() => {
  Object.assign(process.env, {
    RECIPIENT_TEXTS_PER_HOUR: '3',
    RECIPIENT_TEXTS_PER_DAY: '5',
    USER_TEXTS_PER_DAY: '8',
    REFUSALS_RECORDED_PER_MINUTE: '4',
  })
})

const { adminToken, app, clock, createUser, db, gql, mutate, sendingSetup, serviceLog, twilio } = await import('./support/helpers.js')

const LIMITS = `mutation($u: ID!, $input: UserLimitsInput!) { setUserLimits(userId: $u, input: $input) {
  __typename ... on SetUserLimitsSuccess { user { textLimits { perMinute perDay perRecipientHour perRecipientDay } } } ... on Error { code } } }`
const onNewCall = (n: number, extra: Record<string, unknown> = {}) => ({
  call: { callId: `made-up-${n}-${Math.random()}`, customerPhoneNumber: '+14155550123' },
  body: `Text ${n}`,
  ...extra,
})

describe('texts per recipient and per user', () => {
  it('sends 3 of 30 texts to one number in an hour, whatever call ids the runtime makes up; 5 in a day', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    const hour = Date.UTC(2026, 5, 1, 9, 0)
    clock.set(new Date(hour + 60_000))
    try {
      const results = []
      for (let n = 0; n < 30; n++) results.push(await s.send(onNewCall(n)))
      expect(results.filter((r) => r.__typename === 'SendSmsSuccess')).toHaveLength(3)
      const refused = results.filter((r) => r.code === 'RECIPIENT_LIMIT_REACHED')
      expect(refused).toHaveLength(27)
      expect(refused[0].agentMessage).toContain("don't send another")
      expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(3)
      // Another number, and another user, are unaffected.
      expect((await s.send(onNewCall(99, { to: '+14155550177' }))).__typename).toBe('SendSmsSuccess')
      expect((await (await sendingSetup()).send(onNewCall(0))).__typename).toBe('SendSmsSuccess')
      clock.set(new Date(hour + 3_600_000 + 60_000))
      const later = []
      for (let n = 0; n < 4; n++) later.push((await s.send(onNewCall(100 + n))).__typename ?? 'x')
      expect(later).toEqual(['SendSmsSuccess', 'SendSmsSuccess', 'SendSmsError', 'SendSmsError'])
      expect((await s.preview(onNewCall(200))).code).toBe('RECIPIENT_LIMIT_REACHED')
    } finally {
      clock.set(undefined)
    }
  })

  it('caps a user’s texts a day (DAILY_LIMIT_REACHED), and the operator can set other figures per user', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    clock.set(new Date(Date.UTC(2026, 5, 2, 12, 0)))
    try {
      const numbers = Array.from({ length: 9 }, (_, n) => `+1415555${String(200 + n).padStart(4, '0')}`)
      const results = []
      for (const [n, to] of numbers.entries()) results.push(await s.send(onNewCall(n, { to })))
      expect(results.slice(0, 8).every((r) => r.__typename === 'SendSmsSuccess')).toBe(true)
      expect(results[8]).toMatchObject({ code: 'DAILY_LIMIT_REACHED' })
      const set = await mutate('setUserLimits', LIMITS, { u: s.user.id, input: { perDay: 20, perRecipientHour: 10 } }, adminToken)
      expect(set.user.textLimits).toEqual({ perMinute: 60, perDay: 20, perRecipientHour: 10, perRecipientDay: 5 })
      expect((await s.send(onNewCall(9, { to: numbers[8] }))).__typename).toBe('SendSmsSuccess')
      const back = await mutate('setUserLimits', LIMITS, { u: s.user.id, input: { perDay: null } }, adminToken)
      expect(back.user.textLimits.perDay).toBe(8)
      expect((await mutate('setUserLimits', LIMITS, { u: s.user.id, input: { perDay: 0 } }, adminToken)).code).toBe('VALIDATION')
      expect((await mutate('setUserLimits', LIMITS, { u: s.user.id, input: { perDay: 5 } }, s.user.key)).code).toBe('FORBIDDEN')
    } finally {
      clock.set(undefined)
    }
  })

  it('records at most REFUSALS_RECORDED_PER_MINUTE refusals a minute, each body cut to 1,600 characters', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    clock.set(new Date(Date.UTC(2026, 5, 3, 12, 0, 5)))
    try {
      const results = []
      for (let n = 0; n < 7; n++) results.push(await s.send(onNewCall(n, { body: `${'x'.repeat(5000)}${n}` })))
      expect(results.map((r) => r.code)).toEqual(Array(7).fill('BODY_TOO_LONG'))
      expect(results.map((r) => r.recorded !== null)).toEqual([true, true, true, true, false, false, false])
      expect(results.every((r) => r.agentMessage.includes('shorten'))).toBe(true)
      const stored = await db.smsDelivery.findUniqueOrThrow({ where: { id: results[0].recorded.id } })
      expect([stored.body.length, stored.bodyLength, stored.status]).toEqual([1600, 5001, 'REJECTED'])
      expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(4)
    } finally {
      clock.set(undefined)
    }
  })
})

describe('inputs no field accepts', () => {
  it('answers VALIDATION naming the field for lone surrogates and control characters, on every engine', async () => {
    const s = await sendingSetup()
    for (const body of ['Hi \ud83d there', 'Hi \u0000 there', 'bell \u0007']) {
      const r = await s.send({ body })
      expect(r).toMatchObject({ __typename: 'SendSmsError', code: 'VALIDATION' })
      expect(r.message).toMatch(/^body: contains a character that is not allowed/)
      expect(r.agentMessage.length).toBeGreaterThan(10)
    }
    expect((await s.send({ call: { callId: 'a\u0000b', customerPhoneNumber: '+14155550123' } })).message).toMatch(/^call\.callId:/)
    expect((await s.send({ variables: { name: 'x\udfff' } })).code).toBe('VALIDATION')
    expect((await s.send({ body: 'Tab\tand\nnew line are fine 😀' })).__typename).toBe('SendSmsSuccess')
    const campaign = await mutate(
      'createCampaign',
      `mutation($n: String!) { createCampaign(input: { name: $n }) { __typename ... on ValidationError { code field } } }`,
      { n: 'Sales\u0000' },
      s.user.key,
    )
    expect(campaign).toEqual({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.name' })
    const read = await gql('query($c: String) { smsDeliveries(callId: $c) { edges { node { id } } } }', { c: 'x\u0000' }, s.agent)
    expect(read.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', field: 'c' } })
    // A document's literals are looked at once: asked again, it is refused again; clean variables pass it.
    const literal =
      'query($c: String) { a: smsDeliveries(callId: "x\u0000") { edges { node { id } } } b: smsDeliveries(callId: $c) { edges { node { id } } } }'
    for (const c of ['y', 'z'])
      expect((await gql(literal, { c }, s.agent)).errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', field: 'callId' } })
    const clean =
      'query($c: String) { a: smsDeliveries(callId: "x") { edges { node { id } } } b: smsDeliveries(callId: $c) { edges { node { id } } } }'
    expect((await gql(clean, { c: 'y' }, s.agent)).errors).toBeUndefined()
    expect((await gql(clean, { c: 'x\u0000' }, s.agent)).errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', field: 'c' } })
    // No text is sent on a call id over 128 characters: reads refuse one rather than look for it.
    const long = 'c'.repeat(129)
    for (const query of [
      'query($c: String) { smsDeliveries(callId: $c) { edges { node { id } } } }',
      'query($c: String!) { callTextStatus(callId: $c) { sentence } }',
    ]) {
      expect((await gql(query, { c: long }, s.agent)).errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION' } })
      expect((await gql(query, { c: 'c'.repeat(128) }, s.agent)).errors).toBeUndefined()
    }
    const watch = 'subscription($c: String) { smsDeliveryUpdated(callId: $c) { delivery { id } } }'
    await app.start()
    const refused = await sseSubscribe(app.url, s.agent, { c: long }, watch)
    await refused.ended
    expect(refused.received[0]).toMatchObject({
      errors: [{ message: expect.stringContaining('callId'), extensions: { code: 'VALIDATION' } }],
    })
  })

  it('answers variables nested thousands deep, clean or not, without an internal error', async () => {
    const s = await sendingSetup()
    // Written out: JSON.stringify itself gives up on values this deep.
    const post = async (inner: string) => {
      const variables = `{"u":${'['.repeat(20_000)}${inner}${']'.repeat(20_000)}}`
      const res = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.agent}` },
        body: `{"query":"{ __typename }","variables":${variables}}`,
      })
      return res.json()
    }
    expect(await post('"x"')).toEqual({ data: { __typename: 'Query' } })
    const bad = await post('"x\\u0000"')
    expect(bad.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION' } })
    expect(bad.errors[0].extensions.field).toMatch(/^u(\.0)+$/)
  })

  it('refuses mutation ids and webhook notes holding a character no field accepts (PostgreSQL cannot store NUL)', async () => {
    const s = await sendingSetup()
    const update = await gql('mutation { updateCampaign(id: "a\u0000b", input: { name: "X" }) { __typename } }', {}, s.user.key)
    expect(update.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', field: 'id' } })
    const remove = await gql('mutation($id: ID!) { deleteSmsAction(id: $id) { __typename } }', { id: 'a\u0000b' }, s.user.key)
    expect(remove.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', field: 'id' } })
    const call = { callId: 'c1', customerPhoneNumber: '+14155550123' }
    const toolCall = { id: 'tool-1', name: 'send_text', arguments: {} }
    const tool = await gql(
      'mutation($input: SmsToolCallInput!) { sendSmsToolCall(input: $input) { __typename } }',
      { input: { campaignId: 'a\u0000b', call, toolCall } },
      s.agent,
    )
    expect(tool.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', field: 'input.campaignId' } })
    const hook = await mutate(
      'createWebhookEndpoint',
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on ValidationError { code field } } }',
      { input: { url: 'https://example.com/hook', eventTypes: ['SENT'], description: 'a\u0000b' } },
      s.user.key,
    )
    expect(hook).toEqual({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.description' })
    // A clean id of nothing passes the check and is answered as before.
    const none = 'mutation($id: ID!) { deleteSmsAction(id: $id) { __typename ... on Error { code } } }'
    expect(await mutate('deleteSmsAction', none, { id: 'nothing' }, s.user.key)).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses a blank template, and treats {{constructor}} like any variable', async () => {
    const s = await sendingSetup()
    const create = (messageTemplate: string, name: string) =>
      mutate(
        'createSmsAction',
        `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) { __typename ... on CreateSmsActionSuccess { smsAction { id } } ... on ValidationError { code field } } }`,
        { input: { name, description: 'd', provider: 'ATLAS', messageTemplate } },
        s.user.key,
      )
    expect(await create('   ', 'blank')).toEqual({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.messageTemplate' })
    expect(await create('Code {{ __proto__ }}', 'proto')).toEqual({
      __typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'input.messageTemplate',
    })
    // A send gives at most 100 variables, so a template with 101 placeholders could never be sent.
    const many = (n: number) => Array.from({ length: n }, (_, i) => `{{v${i}}}`).join(' ')
    expect(await create(many(101), 'too_many')).toEqual({
      __typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'input.messageTemplate',
    })
    expect((await create(many(100), 'as_many')).__typename).toBe('CreateSmsActionSuccess')
    const t = await sendingSetup({ messageTemplate: 'Built by {{constructor}}, see {{toString}}.' })
    const missing = await t.send({})
    expect(missing).toMatchObject({ code: 'VALIDATION', message: 'variables missing: constructor, toString' })
    const sent = await t.send({ variables: { constructor: 'Ada', toString: 'the docs' } })
    expect(sent.delivery.body).toBe('Built by Ada, see the docs.')
  })
})

describe('logs', () => {
  it('never hold a message body, and show phone numbers by their last four digits only', async () => {
    const s = await sendingSetup()
    twilio.recipientErrors.set('+14155550166', 21999) // an error Twilio words with the number in it
    await s.send({ to: '+14155550166', body: 'SECRET-BODY-4821 for the caller' })
    await s.send({ to: '+442079460000', body: 'SECRET-BODY-4822' })
    const user = await createUser()
    await gql('mutation { createCampaign(input: { name: "x" }) { __typename } }', {}, user.key)
    const log = serviceLog()
    expect(log).toContain('send attempt failed')
    expect(log).toContain('0166')
    expect(log).not.toContain('4155550166')
    expect(log).not.toContain('2079460000')
    expect(log).not.toContain('SECRET-BODY')
  })
})
