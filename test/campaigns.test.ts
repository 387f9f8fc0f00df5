import Ajv2020 from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { createUser, gql, mutate, withTwilio } from './support/helpers.js'

const CREATE_ACTION = `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) {
  ... on CreateSmsActionSuccess { smsAction { id name } } ... on Error { code message } } }`
const CREATE = `mutation($name: String!) { createCampaign(input: { name: $name }) {
  __typename ... on CreateCampaignSuccess { campaign { id name smsActions { id } } } ... on Error { code message } ... on ValidationError { field } } }`
const ATTACH = `mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) {
  __typename ... on AttachSmsActionSuccess { campaign { id smsActions { id name } } } ... on Error { code } } }`
const DETACH = `mutation($c: ID!, $a: ID!) { detachSmsAction(campaignId: $c, smsActionId: $a) {
  __typename ... on DetachSmsActionSuccess { campaign { id smsActions { id } } } ... on Error { code } } }`
const TOOLS = `query($id: ID!, $f: AgentToolFormat) { campaign(id: $id) { agentTools(format: $f) } }`

async function action(key: string, input: Record<string, unknown>) {
  const r = await mutate('createSmsAction', CREATE_ACTION, { input: { description: 'Send when asked.', ...input } }, key)
  if (!r.smsAction) throw new Error(JSON.stringify(r))
  return r.smsAction as { id: string; name: string }
}
const campaign = async (key: string, name = 'Main line') => (await mutate('createCampaign', CREATE, { name }, key)).campaign

describe('campaigns', () => {
  it('creates a campaign; an empty name is VALIDATION', async () => {
    const u = await createUser(['ATLAS'])
    expect(await campaign(u.key, 'Sales')).toMatchObject({ name: 'Sales', smsActions: [] })
    expect(await mutate('createCampaign', CREATE, { name: ' ' }, u.key)).toMatchObject({ code: 'VALIDATION', field: 'input.name' })
    expect((await gql('{ campaigns { name } }', {}, u.key)).data.campaigns).toEqual([{ name: 'Sales' }])
  })

  it('attaches and detaches actions idempotently, and lists the campaigns of an action', async () => {
    const u = await createUser(['ATLAS'])
    const c = await campaign(u.key)
    const a = await action(u.key, { name: 'confirm' })
    const b = await action(u.key, { name: 'link' })
    for (let i = 0; i < 2; i++) {
      const r = await mutate('attachSmsAction', ATTACH, { c: c.id, a: a.id }, u.key)
      expect(r.campaign.smsActions).toEqual([{ id: a.id, name: 'confirm' }])
    }
    await mutate('attachSmsAction', ATTACH, { c: c.id, a: b.id }, u.key)
    const both = await gql('query($id: ID!) { smsAction(id: $id) { campaigns { id } } campaign(id: "x") { id } }', { id: a.id }, u.key)
    expect(both.data).toEqual({ smsAction: { campaigns: [{ id: c.id }] }, campaign: null })
    for (let i = 0; i < 2; i++) {
      const r = await mutate('detachSmsAction', DETACH, { c: c.id, a: a.id }, u.key)
      expect(r.campaign.smsActions).toEqual([{ id: b.id }])
    }
  })

  it('answers NOT_FOUND for unknown or foreign campaigns and actions, changing nothing', async () => {
    const u = await createUser(['ATLAS'])
    const other = await createUser(['ATLAS'])
    const mine = { c: (await campaign(u.key)).id, a: (await action(u.key, { name: 'mine' })).id }
    const theirs = { c: (await campaign(other.key)).id, a: (await action(other.key, { name: 'theirs' })).id }
    for (const vars of [
      { c: mine.c, a: theirs.a },
      { c: theirs.c, a: mine.a },
      { c: 'nope', a: mine.a },
      { c: mine.c, a: 'nope' },
    ]) {
      expect((await mutate('attachSmsAction', ATTACH, vars, u.key)).code).toBe('NOT_FOUND')
      expect((await mutate('detachSmsAction', DETACH, vars, u.key)).code).toBe('NOT_FOUND')
    }
    expect((await gql(TOOLS, { id: theirs.c }, u.key)).data.campaign).toBeNull()
    const theirCampaign = await gql('query($id: ID!) { campaign(id: $id) { smsActions { id } } }', { id: theirs.c }, other.key)
    expect(theirCampaign.data.campaign.smsActions).toEqual([])
  })
})

describe('campaign.agentTools', () => {
  it('describes the attached, enabled actions as valid JSON Schema tools in both formats', async () => {
    const u = await createUser(['ATLAS', 'TWILIO'])
    await withTwilio(u.key)
    const c = await campaign(u.key)
    const free = await action(u.key, { name: 'send_link', provider: 'ATLAS', description: 'Send the link the caller asked for.' })
    const templated = await action(u.key, {
      name: 'confirm-booking',
      provider: 'TWILIO',
      fromNumber: '+14155550100',
      recipientPolicy: 'CALLER_ONLY',
      messageTemplate: 'Hi {{name}}, your table is booked for {{time}}. Reply STOP to opt out. {{name}}',
      description: 'Use this to confirm a booking once the caller agrees to a time.',
    })
    const disabled = await action(u.key, { name: 'off', provider: 'ATLAS', enabled: false })
    await action(u.key, { name: 'unattached', provider: 'ATLAS' })
    for (const a of [free, templated, disabled]) await mutate('attachSmsAction', ATTACH, { c: c.id, a: a.id }, u.key)

    const openai = (await gql(TOOLS, { id: c.id }, u.key)).data.campaign.agentTools
    const explicit = (await gql(TOOLS, { id: c.id, f: 'OPENAI' }, u.key)).data.campaign.agentTools
    expect(explicit).toEqual(openai)
    expect(openai).toEqual([
      {
        type: 'function',
        function: {
          name: 'send_link',
          description: 'Send the link the caller asked for.',
          parameters: {
            type: 'object',
            properties: { to: expect.objectContaining({ type: ['string', 'null'] }), body: expect.objectContaining({ type: 'string' }) },
            required: ['to', 'body'],
            additionalProperties: false,
          },
          strict: true,
        },
      },
      {
        type: 'function',
        function: {
          name: 'confirm-booking',
          description: 'Use this to confirm a booking once the caller agrees to a time.',
          parameters: {
            type: 'object',
            properties: { name: expect.objectContaining({ type: 'string' }), time: expect.objectContaining({ type: 'string' }) },
            required: ['name', 'time'],
            additionalProperties: false,
          },
          strict: true,
        },
      },
    ])
    const anthropic = (await gql(TOOLS, { id: c.id, f: 'ANTHROPIC' }, u.key)).data.campaign.agentTools
    expect(anthropic.map((t: { name: string }) => t.name)).toEqual(['send_link', 'confirm-booking'])

    const ajv = new Ajv2020.default({ strict: true })
    const schemas = [
      ...openai.map((t: { function: { parameters: object } }) => t.function.parameters),
      ...anthropic.map((t: { input_schema: object }) => t.input_schema),
    ]
    for (const schema of schemas) expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true)
    const validate = ajv.compile(anthropic[1].input_schema)
    expect(validate({ name: 'Ada', time: '7pm' })).toBe(true)
    expect(validate({ name: 'Ada' })).toBe(false)
    expect(validate({ name: 'Ada', time: '7pm', to: '+15550000000' })).toBe(false)
    for (const t of anthropic) expect(Object.keys(t).sort()).toEqual(['description', 'input_schema', 'name'])
    for (const t of openai) expect(t.function.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
  })
})
