import { describe, expect, it } from 'vitest'
import { adminToken, createUser, db, gql, mutate, twilio, withTwilio } from './support/helpers.js'

const FIELDS = 'id name description provider fromNumber recipientPolicy messageTemplate maxPerCall enabled campaigns { id }'
const CREATE = `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) {
  __typename ... on CreateSmsActionSuccess { smsAction { ${FIELDS} } } ... on Error { code message } ... on ValidationError { field } } }`
const UPDATE = `mutation($id: ID!, $input: UpdateSmsActionInput!) { updateSmsAction(id: $id, input: $input) {
  __typename ... on UpdateSmsActionSuccess { smsAction { ${FIELDS} } } ... on Error { code message } ... on ValidationError { field } } }`
const DELETE = `mutation($id: ID!) { deleteSmsAction(id: $id) { __typename ... on DeleteSmsActionSuccess { deletedId } ... on Error { code } } }`
const SET_PROVIDERS = `mutation($userId: ID!, $providers: [SmsProvider!]!) { setEnabledProviders(userId: $userId, providers: $providers) { __typename } }`

const atlasAction = { name: 'send_confirmation', description: 'Use this to send a booking confirmation after the customer agrees.' }
const create = (key: string, input: Record<string, unknown>) => mutate('createSmsAction', CREATE, { input }, key)
const update = (key: string, id: string, input: Record<string, unknown>) => mutate('updateSmsAction', UPDATE, { id, input }, key)

describe('createSmsAction', () => {
  it('creates an Atlas action with the defaults when Atlas is the only provider', async () => {
    const u = await createUser(['ATLAS'])
    const r = await create(u.key, atlasAction)
    expect(r.smsAction).toMatchObject({
      ...atlasAction,
      provider: 'ATLAS',
      fromNumber: null,
      recipientPolicy: 'ANY',
      messageTemplate: null,
      maxPerCall: 3,
      enabled: true,
      campaigns: [],
    })
  })

  it('creates a Twilio action after checking the number at Twilio', async () => {
    const u = await createUser(['TWILIO'])
    const account = await withTwilio(u.key, [{ phoneNumber: '+14155550123', sms: true }])
    const input = {
      ...atlasAction,
      fromNumber: '+14155550123',
      recipientPolicy: 'CALLER_ONLY',
      messageTemplate: 'Hi {{name}}, see you {{ when }}.',
      maxPerCall: 5,
      enabled: false,
    }
    const r = await create(u.key, input)
    expect(r.smsAction).toMatchObject({ ...input, provider: 'TWILIO' })
    const lookup = twilio.requests.filter((q) => q.path.endsWith('/IncomingPhoneNumbers.json') && q.accountSid === account.sid)
    expect(lookup.map((q) => q.query.get('PhoneNumber'))).toEqual(['+14155550123'])
  })

  it('answers each validation error naming the field, and stores nothing', async () => {
    const u = await createUser(['ATLAS'])
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'has space' }, 'input.name'],
      [{ name: 'x'.repeat(65) }, 'input.name'],
      [{ name: 'émoji' }, 'input.name'],
      [{ description: '   ' }, 'input.description'],
      [{ maxPerCall: 0 }, 'input.maxPerCall'],
      [{ maxPerCall: 21 }, 'input.maxPerCall'],
      [{ messageTemplate: 'Hi {{ first name }}' }, 'input.messageTemplate'],
      [{ messageTemplate: 'Hi {{name}' }, 'input.messageTemplate'],
      [{ messageTemplate: 'x'.repeat(1601) }, 'input.messageTemplate'],
      [{ fromNumber: '415-555-0100' }, 'input.fromNumber'],
      [{ fromNumber: '+14155550100' }, 'input.fromNumber'],
    ]
    for (const [patch, field] of cases) {
      const r = await create(u.key, { ...atlasAction, ...patch })
      expect(r, JSON.stringify(patch)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field })
    }
    expect(await db.smsAction.count({ where: { userId: u.id } })).toBe(0)
  })

  it('keeps names unique per user (ALREADY_EXISTS), but not across users', async () => {
    const a = await createUser(['ATLAS'])
    const b = await createUser(['ATLAS'])
    await create(a.key, atlasAction)
    expect((await create(a.key, atlasAction)).code).toBe('ALREADY_EXISTS')
    expect((await create(b.key, atlasAction)).__typename).toBe('CreateSmsActionSuccess')
  })

  it('answers PROVIDER_NOT_ENABLED for a provider the user lacks, or when none is enabled', async () => {
    const u = await createUser(['ATLAS'])
    expect((await create(u.key, { ...atlasAction, provider: 'TWILIO', fromNumber: '+14155550100' })).code).toBe('PROVIDER_NOT_ENABLED')
    await mutate('setEnabledProviders', SET_PROVIDERS, { userId: u.id, providers: [] }, adminToken)
    expect((await create(u.key, atlasAction)).code).toBe('PROVIDER_NOT_ENABLED')
  })

  it('requires a provider when both are enabled', async () => {
    const u = await createUser(['ATLAS', 'TWILIO'])
    expect(await create(u.key, atlasAction)).toMatchObject({ code: 'VALIDATION', field: 'input.provider' })
    expect((await create(u.key, { ...atlasAction, provider: 'ATLAS' })).smsAction.provider).toBe('ATLAS')
  })

  it('answers TWILIO_CREDENTIALS_MISSING without credentials, VALIDATION without a fromNumber', async () => {
    const u = await createUser(['TWILIO'])
    expect((await create(u.key, { ...atlasAction, fromNumber: '+14155550100' })).code).toBe('TWILIO_CREDENTIALS_MISSING')
    await withTwilio(u.key)
    expect(await create(u.key, atlasAction)).toMatchObject({ code: 'VALIDATION', field: 'input.fromNumber' })
  })

  it('answers FROM_NUMBER_NOT_OWNED for a number of another account or one without SMS', async () => {
    const u = await createUser(['TWILIO'])
    await withTwilio(u.key, [
      { phoneNumber: '+14155550100', sms: true },
      { phoneNumber: '+14155550199', sms: false },
    ])
    const notOwned = await create(u.key, { ...atlasAction, fromNumber: '+14155550111' })
    expect(notOwned).toMatchObject({ __typename: 'ProviderError', code: 'FROM_NUMBER_NOT_OWNED' })
    const voiceOnly = await create(u.key, { ...atlasAction, fromNumber: '+14155550199' })
    expect(voiceOnly).toMatchObject({ code: 'FROM_NUMBER_NOT_OWNED' })
    expect(voiceOnly.message).toContain('cannot send SMS')
  })

  it('answers TWILIO_CREDENTIALS_INVALID when the stored token was rotated at Twilio', async () => {
    const u = await createUser(['TWILIO'])
    const account = await withTwilio(u.key)
    account.token = 'f'.repeat(32)
    expect((await create(u.key, { ...atlasAction, fromNumber: '+14155550100' })).code).toBe('TWILIO_CREDENTIALS_INVALID')
  })

  it('answers PROVIDER_UNAVAILABLE when the number lookup fails at Twilio', async () => {
    const u = await createUser(['TWILIO'])
    await withTwilio(u.key)
    twilio.failures.push(500)
    expect((await create(u.key, { ...atlasAction, fromNumber: '+14155550100' })).code).toBe('PROVIDER_UNAVAILABLE')
  })
})

describe('updateSmsAction', () => {
  it('changes only the given fields; null clears the template', async () => {
    const u = await createUser(['ATLAS'])
    const { smsAction } = await create(u.key, { ...atlasAction, messageTemplate: 'Hi {{name}}' })
    const r = await update(u.key, smsAction.id, { description: 'New instruction', maxPerCall: 7, messageTemplate: null, enabled: false })
    expect(r.smsAction).toMatchObject({
      name: atlasAction.name,
      description: 'New instruction',
      maxPerCall: 7,
      messageTemplate: null,
      enabled: false,
    })
  })

  it('re-checks the Twilio number only when the provider or number changes', async () => {
    const u = await createUser(['TWILIO'])
    const account = await withTwilio(u.key, [
      { phoneNumber: '+14155550100', sms: true },
      { phoneNumber: '+14155550101', sms: true },
    ])
    const { smsAction } = await create(u.key, { ...atlasAction, fromNumber: '+14155550100' })
    const lookups = () => twilio.requests.filter((q) => q.accountSid === account.sid && q.path.endsWith('IncomingPhoneNumbers.json')).length
    const before = lookups()
    await update(u.key, smsAction.id, { description: 'Only the text changes' })
    expect(lookups()).toBe(before)
    expect((await update(u.key, smsAction.id, { fromNumber: '+14155550101' })).smsAction.fromNumber).toBe('+14155550101')
    expect(lookups()).toBe(before + 1)
    expect((await update(u.key, smsAction.id, { fromNumber: '+14155550177' })).code).toBe('FROM_NUMBER_NOT_OWNED')
  })

  it('answers VALIDATION, ALREADY_EXISTS and NOT_FOUND (also for a foreign id)', async () => {
    const u = await createUser(['ATLAS'])
    const other = await createUser(['ATLAS'])
    const a = (await create(u.key, atlasAction)).smsAction
    await create(u.key, { ...atlasAction, name: 'second' })
    const foreign = (await create(other.key, { ...atlasAction, name: 'theirs' })).smsAction
    expect((await update(u.key, a.id, { maxPerCall: 99 })).code).toBe('VALIDATION')
    expect((await update(u.key, a.id, { name: 'second' })).code).toBe('ALREADY_EXISTS')
    expect((await update(u.key, 'missing', { enabled: false })).code).toBe('NOT_FOUND')
    expect((await update(u.key, foreign.id, { enabled: false })).code).toBe('NOT_FOUND')
    expect((await db.smsAction.findUniqueOrThrow({ where: { id: foreign.id } })).enabled).toBe(true)
  })

  it('disables or renames an action whose provider set-up is gone, and switches to ATLAS without its number', async () => {
    const u = await createUser(['TWILIO', 'ATLAS'])
    await withTwilio(u.key, [{ phoneNumber: '+14155550100', sms: true }])
    const { smsAction } = await create(u.key, { ...atlasAction, provider: 'TWILIO', fromNumber: '+14155550100' })
    const cleared = await mutate('clearTwilioCredentials', 'mutation { clearTwilioCredentials { __typename } }', {}, u.key)
    expect(cleared.__typename).not.toMatch(/Error$/)
    expect((await update(u.key, smsAction.id, { enabled: false, name: 'paused' })).smsAction).toMatchObject({
      enabled: false,
      name: 'paused',
    })
    const switched = await update(u.key, smsAction.id, { provider: 'ATLAS' })
    expect(switched.smsAction).toMatchObject({ provider: 'ATLAS', fromNumber: null })
  })

  it('answers PROVIDER_NOT_ENABLED when switching to a provider the user lacks', async () => {
    const u = await createUser(['ATLAS'])
    const a = (await create(u.key, atlasAction)).smsAction
    expect((await update(u.key, a.id, { provider: 'TWILIO', fromNumber: '+14155550100' })).code).toBe('PROVIDER_NOT_ENABLED')
  })
})

describe('deleteSmsAction', () => {
  it('removes the action from queries and campaigns, frees its name, and is NOT_FOUND afterwards', async () => {
    const u = await createUser(['ATLAS'])
    const a = (await create(u.key, atlasAction)).smsAction
    const c = await mutate(
      'createCampaign',
      'mutation { createCampaign(input: {name: "Main"}) { ... on CreateCampaignSuccess { campaign { id } } } }',
      {},
      u.key,
    )
    await mutate(
      'attachSmsAction',
      'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }',
      { c: c.campaign.id, a: a.id },
      u.key,
    )
    expect((await mutate('deleteSmsAction', DELETE, { id: a.id }, u.key)).deletedId).toBe(a.id)
    const after = await gql(
      'query($id: ID!, $c: ID!) { smsActions { id } smsAction(id: $id) { id } campaign(id: $c) { smsActions { id } } }',
      { id: a.id, c: c.campaign.id },
      u.key,
    )
    expect(after.data).toEqual({ smsActions: [], smsAction: null, campaign: { smsActions: [] } })
    expect((await mutate('deleteSmsAction', DELETE, { id: a.id }, u.key)).code).toBe('NOT_FOUND')
    expect((await create(u.key, atlasAction)).__typename).toBe('CreateSmsActionSuccess')
  })

  it("answers NOT_FOUND for another user's action and leaves it alone", async () => {
    const u = await createUser(['ATLAS'])
    const other = await createUser(['ATLAS'])
    const theirs = (await create(other.key, atlasAction)).smsAction
    expect((await mutate('deleteSmsAction', DELETE, { id: theirs.id }, u.key)).code).toBe('NOT_FOUND')
    expect((await gql('{ smsActions { id } }', {}, other.key)).data.smsActions).toEqual([{ id: theirs.id }])
  })
})
