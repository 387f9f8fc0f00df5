import Ajv2020 from 'ajv/dist/2020.js'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Json, Run } from '../harness/client.js'

// Tool definitions for every LLM API, checked against each API's published rules, for a grid of
// actions, over real HTTP.
const { createUser, mutate, overSocket } = await import('./support/helpers.js')

let gql: Run
beforeAll(async () => {
  gql = await overSocket()
})

const CREATE = `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) {
  __typename ... on CreateSmsActionSuccess { smsAction { id } } ... on ValidationError { code field message } } }`
const TOOLS = 'query($id: ID!, $f: AgentToolFormat) { campaign(id: $id) { agentTools(format: $f) } }'
const FORMATS = ['OPENAI', 'OPENAI_CHAT', 'OPENAI_RESPONSES', 'OPENAI_REALTIME', 'ANTHROPIC', 'GEMINI', 'MCP']

const GRID = [
  { name: 'text_caller', recipientPolicy: 'CALLER_ONLY' },
  { name: 'text_anyone', recipientPolicy: 'ANY' },
  { name: 'confirm_booking', recipientPolicy: 'CALLER_ONLY', messageTemplate: 'Hi {{name}}, see you at {{time}} on {{day}} in {{room}}.' },
  { name: 'send-directions', recipientPolicy: 'ANY', messageTemplate: 'Directions to {{place}}: {{url}} 🗺️' },
  { name: '_consented', recipientPolicy: 'ANY', requiresConsent: true },
  {
    name: 'many_vars',
    recipientPolicy: 'ANY',
    messageTemplate: Array.from({ length: 20 }, (_, i) => `{{v${i}}}`).join(' '),
    description: `Use this when the caller asks for the details. ${'Be precise and polite. '.repeat(40)}`.slice(0, 1024),
  },
  {
    name: 'emoji_🙂_not_allowed_in_names_but_in_descriptions'.replace(/🙂_/, ''),
    recipientPolicy: 'ANY',
    description: 'Send the 🎉 party details 😀',
  },
]

const OPENAI_KEYWORDS = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'enum', 'items', 'anyOf'])
const GEMINI_KEYWORDS = new Set(['type', 'description', 'properties', 'required', 'nullable', 'enum', 'items', 'format'])

/** OpenAI's strict mode (structured outputs): every object closed, every property required, optional ones nullable. */
function openAiStrictProblems(schema: Json): string[] {
  const problems: string[] = []
  if (schema.type !== 'object') problems.push('root must be an object')
  if (schema.additionalProperties !== false) problems.push('additionalProperties must be false')
  const keys = Object.keys(schema.properties ?? {})
  if (JSON.stringify([...schema.required].sort()) !== JSON.stringify([...keys].sort())) problems.push('every property must be required')
  for (const [k, p] of Object.entries<Json>(schema.properties)) {
    for (const kw of Object.keys(p)) if (!OPENAI_KEYWORDS.has(kw)) problems.push(`${k}: keyword ${kw} not supported`)
    if (!p.description) problems.push(`${k}: no description`)
  }
  for (const kw of Object.keys(schema)) if (!OPENAI_KEYWORDS.has(kw)) problems.push(`keyword ${kw} not supported`)
  return problems
}

function geminiProblems(schema: Json): string[] {
  const problems: string[] = []
  const walk = (s: Json, at: string) => {
    for (const kw of Object.keys(s)) if (!GEMINI_KEYWORDS.has(kw)) problems.push(`${at}: keyword ${kw} not in Gemini's schema`)
    if (!['object', 'string', 'boolean', 'number', 'integer', 'array'].includes(s.type)) problems.push(`${at}: type ${s.type}`)
    // Gemini answers 400 to an OBJECT without properties ("should be non-empty for OBJECT type").
    if (s.type === 'object' && Object.keys(s.properties ?? {}).length === 0) problems.push(`${at}: an object without properties`)
    for (const [k, p] of Object.entries<Json>(s.properties ?? {})) walk(p, `${at}.${k}`)
  }
  walk(schema, 'parameters')
  return problems
}

describe('agentTools in every format', () => {
  it('meets each API’s published rules for a grid of actions', async () => {
    const u = await createUser(['ATLAS'])
    const campaign = await mutate(
      'createCampaign',
      'mutation { createCampaign(input: { name: "Grid", deliveryStatusTool: true }) { ... on CreateCampaignSuccess { campaign { id } } } }',
      {},
      u.key,
    )
    for (const a of GRID) {
      const r = await mutate('createSmsAction', CREATE, { input: { description: 'Send what the caller asked for.', ...a } }, u.key)
      if (!r.smsAction) throw new Error(JSON.stringify(r))
      await mutate(
        'attachSmsAction',
        'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }',
        { c: campaign.campaign.id, a: r.smsAction.id },
        u.key,
      )
    }
    const ajv = new Ajv2020.default({ strict: true })
    const tools: Record<string, Json[]> = {}
    for (const f of FORMATS) tools[f] = (await gql(TOOLS, { id: campaign.campaign.id, f }, u.key)).data.campaign.agentTools
    expect(tools.OPENAI).toEqual(tools.OPENAI_CHAT)
    for (const f of FORMATS) expect(tools[f], f).toHaveLength(GRID.length + 1)

    for (const t of tools.OPENAI_CHAT ?? []) {
      expect(Object.keys(t).sort()).toEqual(['function', 'type'])
      expect(t.function.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
      expect(t.function.strict).toBe(true)
      expect(openAiStrictProblems(t.function.parameters), t.function.name).toEqual([])
      expect(ajv.validateSchema(t.function.parameters), JSON.stringify(ajv.errors)).toBe(true)
    }
    for (const t of tools.OPENAI_RESPONSES ?? []) {
      expect(Object.keys(t).sort()).toEqual(['description', 'name', 'parameters', 'strict', 'type'])
      expect([t.type, t.strict]).toEqual(['function', true])
      expect(openAiStrictProblems(t.parameters)).toEqual([])
    }
    for (const t of tools.OPENAI_REALTIME ?? []) {
      expect(Object.keys(t).sort()).toEqual(['description', 'name', 'parameters', 'type'])
      expect(openAiStrictProblems(t.parameters)).toEqual([])
    }
    for (const t of tools.ANTHROPIC ?? []) {
      expect(Object.keys(t).sort()).toEqual(['description', 'input_schema', 'name'])
      expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
      expect(t.input_schema.type).toBe('object')
      expect(ajv.validateSchema(t.input_schema), JSON.stringify(ajv.errors)).toBe(true)
    }
    for (const t of tools.GEMINI ?? []) {
      // A tool without parameters declares none (the delivery-status tool).
      const declared = t.name === 'check_text_delivery' ? ['description', 'name'] : ['description', 'name', 'parameters']
      expect(Object.keys(t).sort()).toEqual(declared)
      expect(t.name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/)
      if (t.parameters) expect(geminiProblems(t.parameters), t.name).toEqual([])
    }
    for (const t of tools.MCP ?? []) {
      expect(Object.keys(t).sort()).toEqual(['description', 'inputSchema', 'name'])
      expect(t.name).toMatch(/^[A-Za-z0-9_.-]{1,128}$/)
      expect(ajv.validateSchema(t.inputSchema), JSON.stringify(ajv.errors)).toBe(true)
    }

    const byName = (f: string, name: string) => (tools[f] ?? []).find((t) => (t.function?.name ?? t.name) === name)
    // Arguments as each API sends them validate against the schema it was given.
    const strict = ajv.compile(byName('OPENAI_CHAT', 'text_anyone').function.parameters)
    expect(strict({ to: null, body: 'Hi' })).toBe(true)
    expect(strict({ body: 'Hi' })).toBe(false)
    const anthropic = ajv.compile(byName('ANTHROPIC', 'text_anyone').input_schema)
    expect(anthropic({ body: 'Hi' })).toBe(true)
    expect(anthropic({ body: 'Hi', variables: {} })).toBe(false)
    const consent = byName('MCP', '_consented').inputSchema
    expect(consent.properties.callerAgreed).toMatchObject({ type: 'boolean' })
    expect(consent.required).toEqual(['body', 'callerAgreed'])
    expect(byName('GEMINI', 'text_anyone').parameters.properties.to).toMatchObject({ type: 'string', nullable: true })
    expect(byName('ANTHROPIC', 'text_caller').input_schema.properties.to).toBeUndefined()
    expect(Object.keys(byName('ANTHROPIC', 'many_vars').input_schema.properties)).toHaveLength(21)
    expect(byName('ANTHROPIC', 'check_text_delivery').input_schema).toEqual({
      type: 'object',
      properties: {},
      required: [],
      additionalProperties: false,
    })
  })

  it('refuses placeholders named like the tool’s own parameters, and names the APIs would refuse', async () => {
    const u = await createUser(['ATLAS'])
    const create = (input: Record<string, unknown>) => mutate('createSmsAction', CREATE, { input: { description: 'd', ...input } }, u.key)
    for (const p of ['to', 'body', 'callerAgreed']) {
      expect(await create({ name: `t_${p}`, messageTemplate: `Hi {{${p}}}` }), p).toMatchObject({
        code: 'VALIDATION',
        field: 'input.messageTemplate',
      })
    }
    for (const name of ['1st_text', '-dash', 'check_text_delivery', 'a'.repeat(65)]) {
      expect(await create({ name }), name).toMatchObject({ code: 'VALIDATION', field: 'input.name' })
    }
    const ok = await create({ name: 'fine', messageTemplate: 'Hi {{name}}' })
    const update = await mutate(
      'updateSmsAction',
      `mutation($id: ID!) { updateSmsAction(id: $id, input: { messageTemplate: "To {{to}}" }) { ... on ValidationError { code field } } }`,
      { id: ok.smsAction.id },
      u.key,
    )
    expect(update).toEqual({ code: 'VALIDATION', field: 'input.messageTemplate' })
  })
})
