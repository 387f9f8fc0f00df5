import { describe, expect, it } from 'vitest'
import { adminToken, createKey, createUser, db, gql, mutate, SET_CREDS, serviceLog, twilio, withTwilio } from './support/helpers.js'

const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) {
  __typename ... on CreateUserSuccess { key user { id email name enabledProviders twilio { accountSid } } apiKey { id role prefix revokedAt } }
  ... on Error { code message } ... on ValidationError { field } } }`
const SET_PROVIDERS = `mutation($userId: ID!, $providers: [SmsProvider!]!) { setEnabledProviders(userId: $userId, providers: $providers) {
  __typename ... on SetEnabledProvidersSuccess { user { id enabledProviders } } ... on Error { code message } } }`
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on CreateApiKeySuccess { key apiKey { id name role prefix } } ... on Error { code message } } }`
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { id revokedAt } } ... on Error { code } } }`
const CLEAR = `mutation { clearTwilioCredentials { __typename ... on ClearTwilioCredentialsSuccess { user { twilio { accountSid } } } ... on Error { code } } }`
const VIEWER = '{ viewer { id email enabledProviders twilio { accountSid verifiedAt } } }'

describe('createUser', () => {
  it('creates a user and returns its OWNER key once; only a hash is stored', async () => {
    const r = await mutate('createUser', CREATE_USER, { input: { email: 'Ada@Example.com', name: 'Ada' } }, adminToken)
    expect(r.__typename).toBe('CreateUserSuccess')
    expect(r.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', enabledProviders: ['ATLAS'], twilio: null })
    expect(r.apiKey).toMatchObject({ role: 'OWNER', revokedAt: null })
    expect(r.key).toMatch(/^sk_[A-Za-z0-9_-]{32}$/)
    expect(r.key.startsWith(r.apiKey.prefix)).toBe(true)
    const stored = await db.apiKey.findUniqueOrThrow({ where: { id: r.apiKey.id } })
    expect(JSON.stringify(stored)).not.toContain(r.key)
    const viewer = await gql(VIEWER, {}, r.key)
    expect(viewer.data.viewer.email).toBe('ada@example.com')
  })

  it('refuses a duplicate email with ALREADY_EXISTS', async () => {
    await mutate('createUser', CREATE_USER, { input: { email: 'dup@example.com' } }, adminToken)
    const r = await mutate('createUser', CREATE_USER, { input: { email: 'DUP@example.com' } }, adminToken)
    expect(r).toMatchObject({ __typename: 'AlreadyExistsError', code: 'ALREADY_EXISTS' })
  })

  it('refuses a malformed email with VALIDATION naming the field', async () => {
    const r = await mutate('createUser', CREATE_USER, { input: { email: 'not-an-email' } }, adminToken)
    expect(r).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.email' })
    expect(await db.user.count({ where: { email: 'not-an-email' } })).toBe(0)
  })

  it('is refused to anyone but the operator', async () => {
    const owner = await createUser()
    for (const token of [undefined, owner.key, 'sk_wrong', 'admin-wrong-token-123456']) {
      const r = await mutate('createUser', CREATE_USER, { input: { email: `x${Math.random()}@example.com` } }, token)
      expect(r.__typename).toBe('AuthorizationError')
      expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(r.code)
    }
  })
})

describe('setEnabledProviders', () => {
  it('sets the providers of a user', async () => {
    const u = await createUser(['ATLAS'])
    const r = await mutate('setEnabledProviders', SET_PROVIDERS, { userId: u.id, providers: ['TWILIO', 'ATLAS', 'TWILIO'] }, adminToken)
    expect(r).toMatchObject({ __typename: 'SetEnabledProvidersSuccess', user: { id: u.id, enabledProviders: ['TWILIO', 'ATLAS'] } })
    const none = await mutate('setEnabledProviders', SET_PROVIDERS, { userId: u.id, providers: [] }, adminToken)
    expect(none.user.enabledProviders).toEqual([])
  })

  it('answers NOT_FOUND for an unknown user', async () => {
    const r = await mutate('setEnabledProviders', SET_PROVIDERS, { userId: 'nope', providers: ['ATLAS'] }, adminToken)
    expect(r).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' })
  })
})

describe('API keys', () => {
  it('lets an owner create keys of each role and lists them without secrets', async () => {
    const u = await createUser()
    for (const role of ['OWNER', 'AGENT', 'MONITOR']) {
      const r = await mutate('createApiKey', CREATE_KEY, { input: { name: `k-${role}`, role } }, u.key)
      expect(r).toMatchObject({ __typename: 'CreateApiKeySuccess', apiKey: { role, name: `k-${role}` } })
      expect((await gql('{ viewer { id } }', {}, r.key)).data.viewer.id).toBe(u.id)
    }
    const list = await gql('{ apiKeys { name role prefix } }', {}, u.key)
    expect(list.data.apiKeys.map((k: { role: string }) => k.role)).toEqual(['OWNER', 'OWNER', 'AGENT', 'MONITOR'])
  })

  it('lets the operator create a key for any user, and requires the userId', async () => {
    const u = await createUser()
    const r = await mutate('createApiKey', CREATE_KEY, { input: { name: 'ops', role: 'AGENT', userId: u.id } }, adminToken)
    expect((await gql('{ viewer { id } }', {}, r.key)).data.viewer.id).toBe(u.id)
    const missing = await mutate('createApiKey', CREATE_KEY, { input: { name: 'ops', role: 'AGENT' } }, adminToken)
    expect(missing).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' })
    const unknown = await mutate('createApiKey', CREATE_KEY, { input: { name: 'ops', role: 'AGENT', userId: 'nope' } }, adminToken)
    expect(unknown.code).toBe('NOT_FOUND')
  })

  it("answers NOT_FOUND when an owner names another user's id", async () => {
    const a = await createUser()
    const b = await createUser()
    const r = await mutate('createApiKey', CREATE_KEY, { input: { name: 'x', role: 'OWNER', userId: b.id } }, a.key)
    expect(r.code).toBe('NOT_FOUND')
  })

  it('refuses an empty key name', async () => {
    const u = await createUser()
    const r = await mutate('createApiKey', CREATE_KEY, { input: { name: '  ', role: 'AGENT' } }, u.key)
    expect(r).toMatchObject({ code: 'VALIDATION' })
  })

  it('revokes a key: it stops working at once; revoking again is harmless', async () => {
    const u = await createUser()
    const agent = await createKey(u.key, 'AGENT')
    const keys = await gql('{ apiKeys { id role } }', {}, u.key)
    const agentId = keys.data.apiKeys.find((k: { role: string }) => k.role === 'AGENT').id
    const r = await mutate('revokeApiKey', REVOKE_KEY, { id: agentId }, u.key)
    expect(r.apiKey.revokedAt).toBeTruthy()
    expect((await gql('{ viewer { id } }', {}, agent)).errors[0].extensions.code).toBe('UNAUTHENTICATED')
    const again = await mutate('revokeApiKey', REVOKE_KEY, { id: agentId }, u.key)
    expect(again.apiKey.revokedAt).toBe(r.apiKey.revokedAt)
  })

  it("answers NOT_FOUND for another user's key; the operator may revoke any", async () => {
    const a = await createUser()
    const b = await createUser()
    const bKeys = await gql('{ apiKeys { id } }', {}, b.key)
    const bKeyId = bKeys.data.apiKeys[0].id
    expect((await mutate('revokeApiKey', REVOKE_KEY, { id: bKeyId }, a.key)).code).toBe('NOT_FOUND')
    expect((await gql('{ viewer { id } }', {}, b.key)).data.viewer.id).toBe(b.id)
    expect((await mutate('revokeApiKey', REVOKE_KEY, { id: bKeyId }, adminToken)).__typename).toBe('RevokeApiKeySuccess')
    expect((await gql('{ viewer { id } }', {}, b.key)).errors[0].extensions.code).toBe('UNAUTHENTICATED')
  })
})

describe('Twilio credentials', () => {
  it('verifies good credentials at Twilio, stores the token encrypted and never shows it', async () => {
    const u = await createUser()
    const account = await withTwilio(u.key)
    const viewer = await gql(VIEWER, {}, u.key)
    expect(viewer.data.viewer.twilio.accountSid).toBe(account.sid)
    expect(viewer.data.viewer.twilio.verifiedAt).toBeTruthy()
    expect(JSON.stringify(viewer)).not.toContain(account.token)
    const fetched = twilio.requests.filter((r) => r.path === `/2010-04-01/Accounts/${account.sid}.json`)
    expect(fetched.length).toBe(1)
    const row = await db.twilioAccount.findUniqueOrThrow({ where: { userId: u.id } })
    expect(row.authTokenEnc).not.toContain(account.token)
    expect(row.authTokenEnc).not.toContain(Buffer.from(account.token).toString('base64'))
    expect(row.authTokenEnc.startsWith('v1.')).toBe(true)
  })

  it('refuses a token Twilio rejects with TWILIO_CREDENTIALS_INVALID and stores nothing', async () => {
    const u = await createUser()
    const account = twilio.addAccount()
    const wrong = account.token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))
    const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: wrong } }, u.key)
    expect(r).toMatchObject({ __typename: 'ProviderError', code: 'TWILIO_CREDENTIALS_INVALID' })
    expect(JSON.stringify(r)).not.toContain(wrong)
    expect(await db.twilioAccount.count({ where: { userId: u.id } })).toBe(0)
  })

  it('keeps the previous credentials when a replacement is refused', async () => {
    const u = await createUser()
    const first = await withTwilio(u.key)
    const other = twilio.addAccount()
    const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: other.sid, authToken: first.token } }, u.key)
    expect(r.code).toBe('TWILIO_CREDENTIALS_INVALID')
    expect((await gql(VIEWER, {}, u.key)).data.viewer.twilio.accountSid).toBe(first.sid)
  })

  it('answers PROVIDER_UNAVAILABLE when Twilio fails, and stores nothing', async () => {
    const u = await createUser()
    const account = twilio.addAccount()
    twilio.failures.push(503)
    const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: account.token } }, u.key)
    expect(r.code).toBe('PROVIDER_UNAVAILABLE')
    expect(await db.twilioAccount.count({ where: { userId: u.id } })).toBe(0)
  })

  it('asks Twilio once more when a read’s connection is cut before any answer (a kept-alive socket closing), and only once', async () => {
    const u = await createUser()
    const account = twilio.addAccount()
    const reads = () => twilio.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/Accounts/${account.sid}.json`))
    twilio.cutRequests = 1
    const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: account.token } }, u.key)
    expect(r.__typename).toBe('SetTwilioCredentialsSuccess')
    expect(reads()).toHaveLength(2)
    twilio.cutRequests = 2
    const again = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: account.token } }, u.key)
    expect(again.code).toBe('PROVIDER_UNAVAILABLE')
    expect(reads()).toHaveLength(4)
  })

  it('validates the SID and token shape without echoing the token', async () => {
    const u = await createUser()
    const bad = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: 'XX123', authToken: 'a'.repeat(32) } }, u.key)
    expect(bad).toMatchObject({ code: 'VALIDATION' })
    const secret = 'not-hex-secret-value-0123456789zz'
    const badToken = await mutate(
      'setTwilioCredentials',
      SET_CREDS,
      { input: { accountSid: `AC${'0'.repeat(32)}`, authToken: secret } },
      u.key,
    )
    expect(badToken).toMatchObject({ code: 'VALIDATION' })
    expect(JSON.stringify(badToken)).not.toContain(secret)
  })

  it('answers PROVIDER_NOT_ENABLED when Twilio is not enabled for the user', async () => {
    const u = await createUser(['ATLAS'])
    const account = twilio.addAccount()
    const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: account.token } }, u.key)
    expect(r.code).toBe('PROVIDER_NOT_ENABLED')
  })

  it('clears the credentials (idempotently)', async () => {
    const u = await createUser()
    await withTwilio(u.key)
    expect((await mutate('clearTwilioCredentials', CLEAR, {}, u.key)).user.twilio).toBeNull()
    expect((await mutate('clearTwilioCredentials', CLEAR, {}, u.key)).__typename).toBe('ClearTwilioCredentialsSuccess')
    expect(await db.twilioAccount.count({ where: { userId: u.id } })).toBe(0)
  })

  it('never writes a token into the logs', async () => {
    const log = serviceLog()
    expect(log).toContain('twilio credentials set')
    expect(log).toContain('twilio credentials refused')
    for (const account of twilio.accounts.values()) expect(log).not.toContain(account.token)
  })
})
