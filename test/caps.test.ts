import { beforeAll, describe, expect, it, vi } from 'vitest'

vi.hoisted(() => {
  process.env.SMS_ACTIONS_PER_USER = '3'
  process.env.CAMPAIGNS_PER_USER = '2'
  process.env.API_KEYS_PER_USER = '3'
  process.env.OPT_OUTS_ADDED_PER_USER = '2'
})

const { app, createUser, db, gql, mutate, sendingSetup, twilio } = await import('./support/helpers.js')
beforeAll(() => app.start())

const CREATE_ACTION = `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) {
  __typename ... on CreateSmsActionSuccess { smsAction { id } } ... on Error { code message } } }`
const CREATE_CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
  __typename ... on CreateCampaignSuccess { campaign { id } } ... on Error { code message } } }`
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on CreateApiKeySuccess { apiKey { id } } ... on Error { code message } } }`

const action = (key: string, name: string) =>
  mutate('createSmsAction', CREATE_ACTION, { input: { name, description: 'Texts a link.', provider: 'ATLAS' } }, key)
const campaign = (key: string, name: string) => mutate('createCampaign', CREATE_CAMPAIGN, { input: { name } }, key)
const apiKey = (key: string, name: string) => mutate('createApiKey', CREATE_KEY, { input: { name, role: 'AGENT' } }, key)
const ADD_OPT_OUT = `mutation($input: OptOutInput!) { addOptOut(input: $input) {
  __typename ... on AddOptOutSuccess { optOut { id source } } ... on Error { code message } } }`
const NUMBER = '+14155550100'
const optOut = (key: string, phone: string) => mutate('addOptOut', ADD_OPT_OUT, { input: { phone, sender: NUMBER } }, key)
const typenames = (results: { __typename: string }[]) => results.map((r) => r.__typename).sort()

describe('what one user may hold', () => {
  it('refuses a user’s SMS action past SMS_ACTIONS_PER_USER with LIMIT_REACHED; a deleted one frees its place, once', async () => {
    const user = await createUser(['ATLAS'])
    const ids: string[] = []
    for (const n of [1, 2, 3]) ids.push((await action(user.key, `link_${n}`)).smsAction.id)
    const refused = await action(user.key, 'link_4')
    expect(refused).toMatchObject({ __typename: 'LimitReachedError', code: 'LIMIT_REACHED' })
    expect(refused.message).toContain('3 SMS actions')
    // Another user is not held back by this one.
    expect((await action((await createUser(['ATLAS'])).key, 'link_1')).__typename).toBe('CreateSmsActionSuccess')
    await mutate('deleteSmsAction', 'mutation($id: ID!) { deleteSmsAction(id: $id) { __typename } }', { id: ids[0] }, user.key)
    // Asked at once, the one free place goes to one of them: the cap holds under concurrency.
    const racing = await Promise.all([5, 6, 7, 8, 9].map((n) => action(user.key, `link_${n}`)))
    expect(typenames(racing)).toEqual(['CreateSmsActionSuccess', ...Array(4).fill('LimitReachedError')])
    expect(await db.smsAction.count({ where: { userId: user.id, deletedAt: null } })).toBe(3)
  })

  it('refuses a campaign past CAMPAIGNS_PER_USER, even asked for at once', async () => {
    const user = await createUser(['ATLAS'])
    const racing = await Promise.all([1, 2, 3, 4, 5].map((n) => campaign(user.key, `Campaign ${n}`)))
    expect(typenames(racing)).toEqual([...Array(2).fill('CreateCampaignSuccess'), ...Array(3).fill('LimitReachedError')])
    expect(await db.campaign.count({ where: { userId: user.id } })).toBe(2)
  })

  it('refuses an API key past API_KEYS_PER_USER unrevoked ones; revoking one makes room', async () => {
    const user = await createUser(['ATLAS'])
    // The OWNER key createUser answered is the first of three.
    const keys = [await apiKey(user.key, 'agent 1'), await apiKey(user.key, 'agent 2')]
    expect(typenames(keys)).toEqual(['CreateApiKeySuccess', 'CreateApiKeySuccess'])
    expect(await apiKey(user.key, 'agent 3')).toMatchObject({ __typename: 'LimitReachedError', code: 'LIMIT_REACHED' })
    const revoke = 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }'
    expect((await gql(revoke, { id: keys[0].apiKey.id }, user.key)).data.revokeApiKey.__typename).toBe('RevokeApiKeySuccess')
    expect((await apiKey(user.key, 'agent 3')).__typename).toBe('CreateApiKeySuccess')
    expect(await db.apiKey.count({ where: { userId: user.id, revokedAt: null } })).toBe(3)
  })

  it('keeps ten times API_KEYS_PER_USER keys in all: past them, forgets the oldest revoked over a day ago, else LIMIT_REACHED', async () => {
    const user = await createUser(['ATLAS'])
    const ago = (ms: number) => new Date(Date.now() - ms)
    // With its OWNER key, 30 keys: as many as it keeps.
    await db.apiKey.createMany({
      data: Array.from({ length: 29 }, (_, i) => ({
        userId: user.id,
        name: `old ${i}`,
        role: 'AGENT' as const,
        prefix: 'sk_old',
        hash: `revoked-${user.id}-${i}`,
        revokedAt: ago(3_600_000 - i),
      })),
    })
    const refused = await apiKey(user.key, 'one more')
    expect(refused).toMatchObject({ __typename: 'LimitReachedError', message: expect.stringContaining('30 API keys') })
    const revokedDaysAgo = (i: number, days: number) =>
      db.apiKey.updateMany({ where: { hash: `revoked-${user.id}-${i}` }, data: { revokedAt: ago(days * 86_400_000) } })
    await revokedDaysAgo(0, 2)
    await revokedDaysAgo(1, 3)
    expect((await apiKey(user.key, 'one more')).__typename).toBe('CreateApiKeySuccess')
    const kept = await db.apiKey.findMany({ where: { userId: user.id }, select: { hash: true } })
    expect(kept).toHaveLength(30)
    // The one forgotten is the one revoked longest ago.
    expect(kept.map((k) => k.hash)).not.toContain(`revoked-${user.id}-1`)
    expect(kept.map((k) => k.hash)).toContain(`revoked-${user.id}-0`)
    expect((await gql('{ apiKeys { id } }', {}, user.key)).data.apiKeys).toHaveLength(30)
  })

  it('refuses an opt-out added by hand past OPT_OUTS_ADDED_PER_USER, yet keeps every STOP reply and answers one already held', async () => {
    const s = await sendingSetup()
    const first = await optOut(s.user.key, '+14155550151')
    expect((await optOut(s.user.key, '+14155550152')).__typename).toBe('AddOptOutSuccess')
    const refused = await optOut(s.user.key, '+14155550153')
    expect(refused).toMatchObject({ __typename: 'LimitReachedError', code: 'LIMIT_REACHED' })
    expect(refused.message).toContain('2 opt-outs')
    expect(await optOut(s.user.key, '+14155550151')).toEqual(first)
    if (!s.account) throw new Error('no Twilio account')
    const inbound = 'http://localhost:4000/webhooks/twilio/inbound'
    expect((await twilio.reply(s.account, '+14155550154', NUMBER, 'STOP', inbound, app.url)).status).toBe(200)
    const held = await db.optOut.findMany({ where: { userId: s.user.id }, select: { phone: true, source: true } })
    expect(held.map((o) => `${o.phone} ${o.source}`).sort()).toEqual([
      '+14155550151 OWNER',
      '+14155550152 OWNER',
      '+14155550154 INBOUND_STOP',
    ])
  })
})
