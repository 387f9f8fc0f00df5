import { beforeAll, describe, expect, it } from 'vitest'
import { adminToken, createKey, createUser, db, gql, type Json, mutate, twilio } from './support/helpers.js'

type Caller = 'anonymous' | 'badKey' | 'revoked' | 'operator' | 'OWNER' | 'AGENT' | 'MONITOR'
const CALLERS: Caller[] = ['anonymous', 'badKey', 'revoked', 'operator', 'OWNER', 'AGENT', 'MONITOR']
const READERS: Caller[] = ['OWNER', 'AGENT', 'MONITOR']

let owner: { id: string; key: string }
const tokens = {} as Record<Caller, string | undefined>

beforeAll(async () => {
  owner = await createUser(['ATLAS', 'TWILIO'])
  const revoked = await createKey(owner.key, 'OWNER')
  const keys = await gql('{ apiKeys { id } }', {}, owner.key)
  await mutate('revokeApiKey', 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id: keys.data.apiKeys[1].id }, owner.key)
  Object.assign(tokens, {
    anonymous: undefined,
    badKey: 'sk_this_key_does_not_exist_0000000000',
    revoked,
    operator: adminToken,
    OWNER: owner.key,
    AGENT: await createKey(owner.key, 'AGENT'),
    MONITOR: await createKey(owner.key, 'MONITOR'),
  })
})

let seq = 0
const fresh = {
  async action() {
    seq += 1
    const r = await mutate(
      'createSmsAction',
      `mutation($n: String!) { createSmsAction(input: { name: $n, description: "d", provider: ATLAS }) { ... on CreateSmsActionSuccess { smsAction { id } } } }`,
      { n: `a${seq}` },
      owner.key,
    )
    return r.smsAction.id as string
  },
  async campaign() {
    const r = await mutate(
      'createCampaign',
      `mutation { createCampaign(input: { name: "c" }) { ... on CreateCampaignSuccess { campaign { id } } } }`,
      {},
      owner.key,
    )
    return r.campaign.id as string
  },
  async sendInput() {
    const [a, c] = [await fresh.action(), await fresh.campaign()]
    await mutate(
      'attachSmsAction',
      'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }',
      { c, a },
      owner.key,
    )
    return { campaignId: c, smsActionId: a, call: { callId: `call-${++seq}`, customerPhoneNumber: '+14155550123' }, body: 'hi' }
  },
  async toolCall() {
    const send = await fresh.sendInput()
    const names = await gql('query($id: ID!) { smsAction(id: $id) { name } }', { id: send.smsActionId }, owner.key)
    const toolCall = { id: `tc-${++seq}`, name: names.data.smsAction.name, arguments: JSON.stringify({ body: 'hi', to: null }) }
    return { campaignId: send.campaignId, call: send.call, toolCall }
  },
  /** An endpoint written directly (the matrix makes more than an account may create). */
  async endpoint() {
    const e = await db.webhookEndpoint.create({
      data: { userId: owner.id, url: 'https://93.184.216.34/hooks', eventTypes: ',DELIVERED,', secret: 'sealed' },
    })
    return e.id
  },
  async optOut() {
    const r = await mutate(
      'addOptOut',
      'mutation($p: String!) { addOptOut(input: { phone: $p, sender: "ATLAS" }) { ... on AddOptOutSuccess { optOut { id } } } }',
      { p: `+1415555${String(1000 + ++seq).slice(-4)}` },
      owner.key,
    )
    return r.optOut.id as string
  },
  async keyId() {
    await createKey(owner.key, 'MONITOR')
    const keys = await gql('{ apiKeys { id } }', {}, owner.key)
    return keys.data.apiKeys.at(-1).id as string
  },
}

interface Op {
  field: string
  query: string
  allowed: Caller[]
  vars?: (caller: Caller) => Promise<Record<string, unknown>>
}

const result = (name: string) => `{ __typename ... on Error { code } }`.replace('{', `{ __typename ... on ${name}Success { __typename }`)
const OPS: Op[] = [
  { field: 'viewer', query: '{ viewer { id } }', allowed: READERS },
  { field: 'users', query: '{ users { id } }', allowed: ['operator'] },
  { field: 'apiKeys', query: '{ apiKeys { id } }', allowed: ['OWNER'] },
  { field: 'smsActions', query: '{ smsActions { id } }', allowed: READERS },
  {
    field: 'smsAction',
    query: 'query($id: ID!) { smsAction(id: $id) { id } }',
    allowed: READERS,
    vars: async () => ({ id: await fresh.action() }),
  },
  { field: 'campaigns', query: '{ campaigns { id agentTools } }', allowed: READERS },
  { field: 'callTextStatus', query: '{ callTextStatus(callId: "call-1") { sentence } }', allowed: READERS },
  {
    field: 'campaign',
    query: 'query($id: ID!) { campaign(id: $id) { id agentTools } }',
    allowed: READERS,
    vars: async () => ({ id: await fresh.campaign() }),
  },
  { field: 'smsDelivery', query: 'query { smsDelivery(id: "none") { id } }', allowed: READERS },
  { field: 'smsDeliveries', query: '{ smsDeliveries(first: 5) { edges { node { id } } } }', allowed: READERS },
  {
    field: 'createUser',
    query: `mutation($e: String!) { createUser(input: { email: $e }) ${result('CreateUser')} }`,
    allowed: ['operator'],
    vars: async () => ({ e: `m${++seq}@example.com` }),
  },
  {
    field: 'setEnabledProviders',
    query: `mutation($u: ID!) { setEnabledProviders(userId: $u, providers: [ATLAS, TWILIO]) ${result('SetEnabledProviders')} }`,
    allowed: ['operator'],
    vars: async () => ({ u: owner.id }),
  },
  {
    field: 'setUserLimits',
    query: `mutation($u: ID!) { setUserLimits(userId: $u, input: { perDay: 5000 }) ${result('SetUserLimits')} }`,
    allowed: ['operator'],
    vars: async () => ({ u: owner.id }),
  },
  {
    field: 'createApiKey',
    query: `mutation($u: ID) { createApiKey(input: { name: "k", role: MONITOR, userId: $u }) ${result('CreateApiKey')} }`,
    allowed: ['operator', 'OWNER'],
    vars: async (caller) => ({ u: caller === 'operator' ? owner.id : null }),
  },
  {
    field: 'revokeApiKey',
    query: `mutation($id: ID!) { revokeApiKey(id: $id) ${result('RevokeApiKey')} }`,
    allowed: ['operator', 'OWNER'],
    vars: async () => ({ id: await fresh.keyId() }),
  },
  {
    field: 'setTwilioCredentials',
    query: `mutation($s: String!, $t: String!) { setTwilioCredentials(input: { accountSid: $s, authToken: $t }) ${result('SetTwilioCredentials')} }`,
    allowed: ['OWNER'],
    vars: async () => {
      const a = twilio.addAccount()
      return { s: a.sid, t: a.token }
    },
  },
  { field: 'clearTwilioCredentials', query: `mutation { clearTwilioCredentials ${result('ClearTwilioCredentials')} }`, allowed: ['OWNER'] },
  {
    field: 'createSmsAction',
    query: `mutation($n: String!) { createSmsAction(input: { name: $n, description: "d", provider: ATLAS }) ${result('CreateSmsAction')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ n: `new${++seq}` }),
  },
  {
    field: 'updateSmsAction',
    query: `mutation($id: ID!) { updateSmsAction(id: $id, input: { description: "x" }) ${result('UpdateSmsAction')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ id: await fresh.action() }),
  },
  {
    field: 'deleteSmsAction',
    query: `mutation($id: ID!) { deleteSmsAction(id: $id) ${result('DeleteSmsAction')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ id: await fresh.action() }),
  },
  { field: 'createCampaign', query: `mutation { createCampaign(input: { name: "n" }) ${result('CreateCampaign')} }`, allowed: ['OWNER'] },
  {
    field: 'updateCampaign',
    query: `mutation($c: ID!) { updateCampaign(id: $c, input: { deliveryStatusTool: true }) ${result('UpdateCampaign')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ c: await fresh.campaign() }),
  },
  {
    field: 'sendSmsToolCall',
    query: `mutation($input: SmsToolCallInput!) { sendSmsToolCall(input: $input) ${result('SendSmsToolCall')} }`,
    allowed: ['OWNER', 'AGENT'],
    vars: async () => ({ input: await fresh.toolCall() }),
  },
  {
    field: 'previewSmsToolCall',
    query: `mutation($input: SmsToolCallInput!) { previewSmsToolCall(input: $input) ${result('PreviewSmsToolCall')} }`,
    allowed: ['OWNER', 'AGENT'],
    vars: async () => ({ input: await fresh.toolCall() }),
  },
  {
    field: 'attachSmsAction',
    query: `mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) ${result('AttachSmsAction')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ c: await fresh.campaign(), a: await fresh.action() }),
  },
  {
    field: 'detachSmsAction',
    query: `mutation($c: ID!, $a: ID!) { detachSmsAction(campaignId: $c, smsActionId: $a) ${result('DetachSmsAction')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ c: await fresh.campaign(), a: await fresh.action() }),
  },
  {
    field: 'sendSms',
    query: `mutation($input: SendSmsInput!) { sendSms(input: $input) ${result('SendSms')} }`,
    allowed: ['OWNER', 'AGENT'],
    vars: async () => ({ input: await fresh.sendInput() }),
  },
  {
    field: 'previewSms',
    query: `mutation($input: SendSmsInput!) { previewSms(input: $input) ${result('PreviewSms')} }`,
    allowed: ['OWNER', 'AGENT'],
    vars: async () => ({ input: await fresh.sendInput() }),
  },
  { field: 'webhookEndpoints', query: '{ webhookEndpoints { id } }', allowed: ['OWNER'] },
  {
    field: 'webhookEndpoint',
    query: 'query($id: ID!) { webhookEndpoint(id: $id) { id } }',
    allowed: ['OWNER'],
    vars: async () => ({ id: await fresh.endpoint() }),
  },
  {
    field: 'createWebhookEndpoint',
    query: `mutation { createWebhookEndpoint(input: { url: "https://93.184.216.34/hooks", eventTypes: [DELIVERED] }) ${result('CreateWebhookEndpoint')} }`,
    allowed: ['OWNER'],
  },
  ...(['update', 'disable', 'enable', 'delete'] as const).map((verb) => ({
    field: `${verb}WebhookEndpoint`,
    query: `mutation($id: ID!) { ${verb}WebhookEndpoint(id: $id${verb === 'update' ? ', input: { description: "d" }' : ''}) ${result(`${verb[0]?.toUpperCase()}${verb.slice(1)}WebhookEndpoint`)} }`,
    allowed: ['OWNER'] as Caller[],
    vars: async () => ({ id: await fresh.endpoint() }),
  })),
  {
    field: 'rotateWebhookSecret',
    query: `mutation($id: ID!) { rotateWebhookSecret(id: $id) ${result('RotateWebhookSecret')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ id: await fresh.endpoint() }),
  },
  { field: 'optOuts', query: '{ optOuts(first: 5) { edges { node { id } } } }', allowed: ['OWNER'] },
  {
    field: 'addOptOut',
    query: `mutation($p: String!) { addOptOut(input: { phone: $p, sender: "ATLAS" }) ${result('AddOptOut')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ p: `+1415555${String(1000 + ++seq).slice(-4)}` }),
  },
  {
    field: 'removeOptOut',
    query: `mutation($id: ID!) { removeOptOut(id: $id) ${result('RemoveOptOut')} }`,
    allowed: ['OWNER'],
    vars: async () => ({ id: await fresh.optOut() }),
  },
]

/** What a caller got: 'ok', or the auth error code, read from a union result or a GraphQL error. */
function outcome(op: Op, body: Json): string {
  const value = body.data?.[op.field]
  if (op.query.trimStart().startsWith('mutation')) {
    if (value?.__typename?.endsWith('Success')) return 'ok'
    return value?.code ?? JSON.stringify(body)
  }
  if (body.errors) return body.errors[0].extensions?.code ?? JSON.stringify(body.errors)
  return 'ok'
}

describe('role matrix: every query and mutation, every kind of caller', () => {
  for (const op of OPS) {
    it(op.field, async () => {
      const got: Record<string, string> = {}
      const want: Record<string, string> = {}
      for (const caller of CALLERS) {
        const body = await gql(op.query, (await op.vars?.(caller)) ?? {}, tokens[caller])
        got[caller] = outcome(op, body)
        const authenticated = !['anonymous', 'badKey', 'revoked'].includes(caller)
        want[caller] = op.allowed.includes(caller) ? 'ok' : authenticated ? 'FORBIDDEN' : 'UNAUTHENTICATED'
      }
      expect(got).toEqual(want)
    })
  }

  it('covers every field of Query and Mutation', async () => {
    const { schema } = await import('../src/schema/index.js')
    const fields = [...Object.keys(schema.getQueryType()?.getFields() ?? {}), ...Object.keys(schema.getMutationType()?.getFields() ?? {})]
    expect(fields.filter((f) => !OPS.some((o) => o.field === f))).toEqual([])
  })
})

describe('ownership: another user sees none of these ids', () => {
  it('answers null or NOT_FOUND for every foreign id, and changes nothing', async () => {
    const actionId = await fresh.action()
    const campaignId = await fresh.campaign()
    const keyId = await fresh.keyId()
    await mutate(
      'attachSmsAction',
      'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }',
      { c: campaignId, a: actionId },
      owner.key,
    )
    const delivery = await db.smsDelivery.create({
      data: {
        userId: owner.id,
        smsActionId: actionId,
        campaignId,
        callId: 'call-1',
        to: '+14155550111',
        body: 'hi',
        provider: 'ATLAS',
        segments: 1,
        encoding: 'GSM7',
      },
    })
    const intruder = await createUser(['ATLAS'])
    for (const role of ['OWNER', 'AGENT', 'MONITOR'] as const) {
      const key = role === 'OWNER' ? intruder.key : await createKey(intruder.key, role)
      const reads = await gql(
        `query($a: ID!, $c: ID!, $d: ID!) { smsAction(id: $a) { id } campaign(id: $c) { id } smsDelivery(id: $d) { id }
          smsDeliveries(campaignId: $c) { edges { node { id } } } smsActions { id } campaigns { id } }`,
        { a: actionId, c: campaignId, d: delivery.id },
        key,
      )
      expect(reads).toEqual({
        data: { smsAction: null, campaign: null, smsDelivery: null, smsDeliveries: { edges: [] }, smsActions: [], campaigns: [] },
      })
    }
    const writes: [string, string, Record<string, unknown>][] = [
      [
        'updateSmsAction',
        'mutation($a: ID!) { updateSmsAction(id: $a, input: { enabled: false }) { ... on Error { code } } }',
        { a: actionId },
      ],
      ['deleteSmsAction', 'mutation($a: ID!) { deleteSmsAction(id: $a) { ... on Error { code } } }', { a: actionId }],
      [
        'attachSmsAction',
        'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { ... on Error { code } } }',
        { c: campaignId, a: actionId },
      ],
      [
        'detachSmsAction',
        'mutation($c: ID!, $a: ID!) { detachSmsAction(campaignId: $c, smsActionId: $a) { ... on Error { code } } }',
        { c: campaignId, a: actionId },
      ],
      ['revokeApiKey', 'mutation($k: ID!) { revokeApiKey(id: $k) { ... on Error { code } } }', { k: keyId }],
      [
        'createApiKey',
        'mutation($u: ID!) { createApiKey(input: { name: "x", role: OWNER, userId: $u }) { ... on Error { code } } }',
        { u: owner.id },
      ],
    ]
    for (const [field, query, vars] of writes) {
      expect((await mutate(field, query, vars, intruder.key)).code, field).toBe('NOT_FOUND')
    }
    const still = await gql(
      'query($a: ID!, $c: ID!) { smsAction(id: $a) { enabled } campaign(id: $c) { smsActions { id } } apiKeys { id revokedAt } }',
      { a: actionId, c: campaignId },
      owner.key,
    )
    expect(still.data.smsAction.enabled).toBe(true)
    expect(still.data.campaign.smsActions).toEqual([{ id: actionId }])
    expect(still.data.apiKeys.find((k: { id: string }) => k.id === keyId).revokedAt).toBeNull()
  })
})
