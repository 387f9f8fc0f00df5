import { readFileSync } from 'node:fs'
import {
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLUnionType,
  Kind,
  parse,
  print,
  printSchema,
} from 'graphql'
import { describe, expect, it } from 'vitest'
import { schema } from '../src/schema/index.js'

const printed = `${printSchema(schema)}\n`

describe('schema.graphql', () => {
  it('is the printed schema of the running service (npm run schema:print refreshes it)', () => {
    expect(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')).toBe(printed)
  })

  // The fixed names of the public contract (API.md): extend, never rename.
  const fixed: Record<string, string[]> = {
    User: ['id', 'email', 'name', 'enabledProviders', 'twilio'],
    TwilioAccount: ['accountSid', 'verifiedAt'],
    ApiKey: ['id', 'name', 'role', 'prefix', 'createdAt', 'revokedAt'],
    SmsAction: [
      'id',
      'name',
      'description',
      'provider',
      'fromNumber',
      'recipientPolicy',
      'messageTemplate',
      'maxPerCall',
      'enabled',
      'campaigns',
      'createdAt',
      'updatedAt',
    ],
    Campaign: ['id', 'name', 'smsActions', 'agentTools', 'deliveries'],
    SmsDelivery: [
      'id',
      'smsAction',
      'campaign',
      'callId',
      'to',
      'body',
      'provider',
      'status',
      'providerMessageId',
      'segments',
      'encoding',
      'errorCode',
      'errorMessage',
      'sandbox',
      'events',
      'createdAt',
      'updatedAt',
    ],
    SmsDeliveryEvent: ['status', 'at', 'errorCode', 'source'],
    Query: ['viewer', 'smsActions', 'smsAction', 'campaigns', 'campaign', 'smsDelivery', 'smsDeliveries'],
    Mutation: [
      'createUser',
      'setEnabledProviders',
      'createApiKey',
      'revokeApiKey',
      'setTwilioCredentials',
      'clearTwilioCredentials',
      'createSmsAction',
      'updateSmsAction',
      'deleteSmsAction',
      'createCampaign',
      'attachSmsAction',
      'detachSmsAction',
      'sendSms',
      'previewSms',
    ],
    CreateUserSuccess: ['user', 'apiKey', 'key'],
    CreateApiKeySuccess: ['apiKey', 'key'],
    CreateSmsActionSuccess: ['smsAction'],
    CreateCampaignSuccess: ['campaign'],
    AttachSmsActionSuccess: ['campaign'],
    SendSmsSuccess: ['delivery', 'agentMessage'],
    PreviewSmsSuccess: ['to', 'body', 'segments', 'encoding', 'agentMessage'],
    SendSmsError: ['message', 'code', 'agentMessage'],
    SmsDeliveryUpdate: ['delivery', 'event'],
    Subscription: ['smsDeliveryUpdated'],
    Error: ['message', 'code'],
  }
  it.each(Object.entries(fixed))('%s keeps its contract fields', (type, fields) => {
    const t = schema.getType(type) as { getFields(): Record<string, unknown> } | undefined
    expect(t, type).toBeDefined()
    expect(fields.filter((f) => !(f in (t?.getFields() ?? {})))).toEqual([])
  })

  it('has the contract enums and error codes', () => {
    const values = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.name)
    expect(values('SmsProvider')).toEqual(['TWILIO', 'ATLAS'])
    expect(values('RecipientPolicy')).toEqual(['CALLER_ONLY', 'ANY'])
    expect(values('ApiKeyRole')).toEqual(['OWNER', 'AGENT', 'MONITOR'])
    expect(values('SmsDeliveryStatus')).toEqual(['PENDING', 'QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'REJECTED'])
    expect(values('SmsEncoding')).toEqual(['GSM7', 'UCS2'])
    expect(values('AgentToolFormat')).toEqual([
      'OPENAI',
      'OPENAI_CHAT',
      'OPENAI_RESPONSES',
      'OPENAI_REALTIME',
      'ANTHROPIC',
      'GEMINI',
      'MCP',
    ])
    const codes =
      'VALIDATION NOT_FOUND UNAUTHENTICATED FORBIDDEN PROVIDER_NOT_ENABLED TWILIO_CREDENTIALS_MISSING TWILIO_CREDENTIALS_INVALID ACTION_NOT_ATTACHED ACTION_DISABLED INVALID_RECIPIENT RECIPIENT_NOT_ALLOWED LANDLINE_RECIPIENT OPTED_OUT CALL_LIMIT_REACHED RATE_LIMITED BODY_TOO_LONG IDEMPOTENCY_CONFLICT PROVIDER_ERROR PROVIDER_UNAVAILABLE'
    expect(codes.split(' ').filter((c) => !values('ErrorCode').includes(c))).toEqual([])
  })

  it('names every mutation result <Name>Result, a union of <Name>Success and Error types', () => {
    for (const [name, field] of Object.entries(schema.getMutationType()?.getFields() ?? {})) {
      const pascal = name[0]?.toUpperCase() + name.slice(1)
      expect(String(field.type)).toBe(`${pascal}Result!`)
      const union = schema.getType(`${pascal}Result`) as GraphQLUnionType
      for (const member of union.getTypes()) {
        if (member.name !== `${pascal}Success`) expect(member.getInterfaces().map((i) => i.name)).toContain('Error')
      }
      expect(union.getTypes().map((t) => t.name)).toContain(`${pascal}Success`)
    }
  })

  // API.md's schema block, copied as it stands: every type, field, argument and default keeps its shape.
  it('keeps every type of the contract’s schema block (test/contract.graphql, copied from API.md)', () => {
    const contract = parse(readFileSync(new URL('./contract.graphql', import.meta.url), 'utf8'))
    const differences: string[] = []
    for (const def of contract.definitions) {
      if (!('name' in def) || !def.name) continue
      const type = schema.getType(def.name.value)
      if (!type) {
        differences.push(`${def.name.value} is missing`)
        continue
      }
      if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
        const values = (type as GraphQLEnumType).getValues().map((v) => v.name)
        for (const v of def.values ?? []) if (!values.includes(v.name.value)) differences.push(`${type.name}.${v.name.value} is missing`)
        continue
      }
      if (!('fields' in def)) continue
      const fields = (type as { getFields(): Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> }).getFields()
      for (const f of def.fields ?? []) {
        const at = `${type.name}.${f.name.value}`
        const actual = fields[f.name.value]
        if (!actual) differences.push(`${at} is missing`)
        else if (String(actual.type) !== print(f.type)) differences.push(`${at}: ${actual.type} instead of ${print(f.type)}`)
        for (const a of 'arguments' in f ? (f.arguments ?? []) : []) {
          const arg = actual && 'args' in actual ? actual.args.find((x) => x.name === a.name.value) : undefined
          if (!arg) differences.push(`${at}(${a.name.value}) is missing`)
          else if (String(arg.type) !== print(a.type)) differences.push(`${at}(${a.name.value}): ${arg.type} instead of ${print(a.type)}`)
          else if (a.defaultValue && arg.defaultValue !== print(a.defaultValue)) differences.push(`${at}(${a.name.value}) default changed`)
        }
      }
    }
    expect(differences).toEqual([])
  })
})
