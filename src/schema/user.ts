import { z } from 'zod'
import { generateApiKey, revokeApiKey } from '../auth.js'
import { providerList } from '../db/rows.js'
import { AlreadyExistsError, LimitReachedError, NotFoundError, ProviderError, ValidationError } from '../errors.js'
import { type ApiKeyRole as ApiKeyRoleValues, SmsProvider as SmsProviderValues } from '../generated/prisma/enums.js'
import { effectiveLimits } from '../sms/sending/limits.js'
import { MAX_TEXT_LIMIT } from '../stores/accounts.js'
import { cleanText } from '../text.js'
import { builder } from './builder.js'
import { mutationErrors } from './errors.js'
import { byId } from './util.js'

export const SmsProvider = builder.enumType('SmsProvider', {
  description: 'What sends a text.',
  values: {
    TWILIO: { description: 'The user’s own Twilio account (setTwilioCredentials), from an action’s fromNumber.' },
    ATLAS: { description: 'The platform’s SMS infrastructure; without it configured, a sandbox where nothing leaves.' },
  } satisfies Record<keyof typeof SmsProviderValues, object>,
})
export const ApiKeyRole = builder.enumType('ApiKeyRole', {
  description: 'What an API key may do.',
  values: {
    OWNER: { description: 'Everything on the user’s own data.' },
    AGENT: { description: 'sendSms, previewSms and their tool-call forms; reading campaigns, actions, tools and deliveries.' },
    MONITOR: { description: 'Read-only queries and subscriptions.' },
  } satisfies Record<keyof typeof ApiKeyRoleValues, object>,
})

export const TwilioAccount = builder.prismaObject('TwilioAccount', {
  select: { id: true },
  description: 'The Twilio account SMS actions send through. The auth token is never readable.',
  fields: (t) => ({
    accountSid: t.exposeString('accountSid', { description: 'The Account SID (AC…).' }),
    verifiedAt: t.expose('verifiedAt', { type: 'DateTime', nullable: true, description: 'When Twilio last accepted the credentials.' }),
  }),
})

const TextLimits = builder.objectRef<ReturnType<typeof effectiveLimits>>('TextLimits').implement({
  description:
    'How many texts a user may send. Past a limit, sendSms answers RATE_LIMITED, DAILY_LIMIT_REACHED or RECIPIENT_LIMIT_REACHED.',
  fields: (t) => ({
    perMinute: t.exposeInt('perMinute', { description: 'Texts per minute.' }),
    perDay: t.exposeInt('perDay', { description: 'Texts per day (UTC).' }),
    perRecipientHour: t.exposeInt('perRecipientHour', { description: 'Texts to one number from one sender per hour.' }),
    perRecipientDay: t.exposeInt('perRecipientDay', { description: 'Texts to one number from one sender per day (UTC).' }),
  }),
})

const limit = z.number().int().min(1).max(MAX_TEXT_LIMIT)
const UserLimitsInput = builder.inputType('UserLimitsInput', {
  description: 'Omitted fields keep their value; null returns a field to the configured default.',
  fields: (t) => ({
    perMinute: t.int({ validate: limit, description: 'Texts per minute.' }),
    perDay: t.int({ validate: limit, description: 'Texts per day (UTC).' }),
    perRecipientHour: t.int({ validate: limit, description: 'Texts to one number from one sender per hour.' }),
    perRecipientDay: t.int({ validate: limit, description: 'Texts to one number from one sender per day (UTC).' }),
  }),
})

export const User = builder.prismaObject('User', {
  select: { id: true },
  description: 'An account: its keys, Twilio credentials, actions, campaigns and deliveries.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The user’s id.' }),
    email: t.exposeString('email', { description: 'The user’s email (lower case).' }),
    name: t.exposeString('name', { nullable: true, description: 'The user’s name.' }),
    enabledProviders: t.field({
      description: 'The providers the operator enabled for this user.',
      type: [SmsProvider],
      select: { enabledProviders: true },
      resolve: (u) => providerList.parse(u.enabledProviders),
    }),
    twilio: t.relation('twilio', { nullable: true, description: 'The Twilio account set with setTwilioCredentials; null until then.' }),
    textLimits: t.field({
      type: TextLimits,
      description: 'The texts this user may send: the operator’s figures where set, else the configured defaults.',
      select: { textsPerMinute: true, textsPerDay: true, recipientTextsPerHour: true, recipientTextsPerDay: true },
      resolve: (u, _a, ctx) =>
        effectiveLimits(
          {
            perMinute: u.textsPerMinute,
            perDay: u.textsPerDay,
            perRecipientHour: u.recipientTextsPerHour,
            perRecipientDay: u.recipientTextsPerDay,
          },
          ctx.services.config.textLimits,
        ),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the user was created.' }),
  }),
})

export const ApiKey = builder.prismaObject('ApiKey', {
  select: { id: true },
  description: 'An API key of a user. The key itself is shown once, when created; only its hash is stored.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The key’s id (for revokeApiKey).' }),
    name: t.exposeString('name', { description: 'What the owner calls it.' }),
    role: t.expose('role', { type: ApiKeyRole, description: 'What it may do.' }),
    prefix: t.exposeString('prefix', { description: 'The key’s first characters, to tell keys apart.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked; null while it works.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Not tracked yet: always null.' }),
  }),
})

type CreatedKey = { apiKeyId: string; key: string }

const CreateUserSuccess = builder.objectRef<CreatedKey & { userId: string }>('CreateUserSuccess').implement({
  description: 'The user was created, with its first OWNER key.',
  fields: (t) => ({
    user: t.prismaField({
      description: 'The new user.',
      type: 'User',
      resolve: (query, p, _a, ctx) => ctx.services.db.user.findUniqueOrThrow(byId(query, p.userId)),
    }),
  }),
})
const CreateApiKeySuccess = builder.objectRef<CreatedKey>('CreateApiKeySuccess').implement({
  description: 'The key was created.',
  fields: () => ({}),
})
for (const ref of [CreateUserSuccess, CreateApiKeySuccess]) {
  builder.objectFields(ref as typeof CreateApiKeySuccess, (t) => ({
    apiKey: t.prismaField({
      type: 'ApiKey',
      description: 'The key’s record (not the key itself).',
      resolve: (query, p, _a, ctx) => ctx.services.db.apiKey.findUniqueOrThrow(byId(query, p.apiKeyId)),
    }),
    key: t.string({ description: 'The key itself. Shown once: only its hash is stored.', resolve: (p) => p.key }),
  }))
}

const providerInput = z.array(z.enum(SmsProviderValues)).max(2)

const CreateUserInput = builder.inputType('CreateUserInput', {
  description: 'A new user.',
  fields: (t) => ({
    email: t.string({ required: true, validate: z.email().max(254), description: 'Their email (unique).' }),
    name: t.string({ validate: cleanText().trim().min(1).max(200), description: 'Their name.' }),
    enabledProviders: t.field({ type: [SmsProvider], description: 'Default: [ATLAS].', validate: providerInput }),
  }),
})

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, validate: cleanText().trim().min(1).max(100), description: 'What to call it.' }),
    role: t.field({ type: ApiKeyRole, required: true, description: 'What it may do.' }),
    userId: t.id({ description: 'Operator only: the user the key is for.' }),
  }),
})

const SetTwilioCredentialsInput = builder.inputType('SetTwilioCredentialsInput', {
  description: 'A Twilio account’s credentials; checked with Twilio, stored encrypted, never readable again.',
  fields: (t) => ({
    accountSid: t.string({
      required: true,
      description: 'The Account SID (AC…).',
      validate: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
    }),
    authToken: t.string({
      required: true,
      description: 'The Auth Token.',
      validate: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits'),
    }),
  }),
})

builder.queryFields((t) => ({
  viewer: t.withAuth({ reader: true }).prismaField({
    type: 'User',
    description: 'The user the API key belongs to.',
    resolve: (query, _r, _a, ctx) => ctx.services.db.user.findUniqueOrThrow(byId(query, ctx.auth.userId)),
  }),
  users: t.prismaField({
    type: ['User'],
    description: 'Operator only: every user.',
    authScopes: { operator: true },
    resolve: (query, _r, _a, ctx) => ctx.services.db.user.findMany({ ...query, orderBy: { createdAt: 'asc' } }),
  }),
  apiKeys: t.withAuth({ owner: true }).prismaField({
    type: ['ApiKey'],
    description: "The caller's keys (OWNER), revoked ones included.",
    resolve: (query, _r, _a, ctx) =>
      ctx.services.db.apiKey.findMany({ ...query, where: { userId: ctx.auth.userId }, orderBy: { createdAt: 'asc' } }),
  }),
}))

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserSuccess,
    description: 'Operator only: creates a user and answers its first OWNER key, once.',
    authScopes: { operator: true },
    errors: { ...mutationErrors(AlreadyExistsError), directResult: true },
    args: { input: t.arg({ type: CreateUserInput, required: true, description: 'The user.' }) },
    resolve: async (_r, { input }, ctx) => {
      const { key, stored } = generateApiKey('owner', 'OWNER')
      const enabledProviders = input.enabledProviders ?? ['ATLAS']
      const created = await ctx.services.stores.accounts.createUser({
        email: input.email,
        name: input.name ?? null,
        enabledProviders,
        key: stored,
      })
      return { ...created, key }
    },
  }),
  setEnabledProviders: t.prismaField({
    type: 'User',
    description: 'Operator only: the providers a user may send through.',
    authScopes: { operator: true },
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'user' } },
    args: {
      userId: t.arg.id({ required: true, description: 'The user.' }),
      providers: t.arg({ type: [SmsProvider], required: true, description: 'Every provider the user may use (others are disabled).' }),
    },
    resolve: async (query, _r, args, ctx) => {
      const { accounts } = ctx.services.stores
      const userId = String(args.userId)
      if (!(await accounts.userExists(userId))) throw new NotFoundError('User')
      await accounts.setEnabledProviders(userId, args.providers)
      return ctx.services.db.user.findUniqueOrThrow(byId(query, userId))
    },
  }),
  setUserLimits: t.prismaField({
    type: 'User',
    description: 'Operator only: how many texts one user may send.',
    authScopes: { operator: true },
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'user' } },
    args: {
      userId: t.arg.id({ required: true, description: 'The user.' }),
      input: t.arg({ type: UserLimitsInput, required: true, description: 'The limits to change.' }),
    },
    resolve: async (query, _r, { userId, input }, ctx) => {
      const { accounts } = ctx.services.stores
      const id = String(userId)
      if (!(await accounts.userExists(id))) throw new NotFoundError('User')
      await accounts.setLimits(id, {
        textsPerMinute: input.perMinute,
        textsPerDay: input.perDay,
        recipientTextsPerHour: input.perRecipientHour,
        recipientTextsPerDay: input.perRecipientDay,
      })
      return ctx.services.db.user.findUniqueOrThrow(byId(query, id))
    },
  }),
  createApiKey: t.field({
    type: CreateApiKeySuccess,
    description: 'Creates an API key of the caller’s user (the operator: of any user) and answers it, once.',
    authScopes: { operator: true, owner: true },
    errors: { ...mutationErrors(NotFoundError, LimitReachedError), directResult: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'The key.' }) },
    resolve: async (_r, { input }, ctx) => {
      const { accounts } = ctx.services.stores
      const asked = input.userId ? String(input.userId) : undefined
      const userId = ctx.auth?.kind === 'key' ? ctx.auth.userId : asked
      if (!userId) throw new ValidationError('userId is required when the operator creates a key', 'input.userId')
      if ((asked && asked !== userId) || !(await accounts.userExists(userId))) throw new NotFoundError('User')
      const { key, stored } = generateApiKey(input.name, input.role)
      const apiKey = await accounts.createKey(userId, stored, ctx.services.config.limits.keysPerUser, ctx.services.clock.now())
      return { apiKeyId: apiKey.id, key }
    },
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    description: 'Revokes a key at once: its open subscriptions end and its sockets close, on every instance.',
    authScopes: { operator: true, owner: true },
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'apiKey' } },
    args: { id: t.arg.id({ required: true, description: 'The key’s id.' }) },
    resolve: async (query, _r, { id }, ctx) => {
      const outcome = await revokeApiKey(ctx.services, String(id), ctx.auth?.kind === 'key' ? ctx.auth.userId : undefined)
      if (outcome === 'missing') throw new NotFoundError('API key')
      return ctx.services.db.apiKey.findUniqueOrThrow(byId(query, String(id)))
    },
  }),
  setTwilioCredentials: t.withAuth({ owner: true }).prismaField({
    type: 'User',
    description: 'Sets the user’s Twilio credentials, after checking them with Twilio.',
    errors: { ...mutationErrors(ProviderError), dataField: { name: 'user' } },
    args: { input: t.arg({ type: SetTwilioCredentialsInput, required: true, description: 'The credentials.' }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { stores, twilioChecks, credentials, logger, clock, db } = ctx.services
      const { userId } = ctx.auth
      if (!(await stores.accounts.enabledProviders(userId)).includes('TWILIO')) {
        throw new ProviderError('PROVIDER_NOT_ENABLED', 'Twilio is not enabled for this account')
      }
      const check = await twilioChecks.verifyCredentials(input.accountSid, input.authToken)
      if (!check.ok) {
        logger.warn({ userId, accountSid: input.accountSid, reason: check.reason }, 'twilio credentials refused')
        throw new ProviderError(check.reason === 'invalid' ? 'TWILIO_CREDENTIALS_INVALID' : 'PROVIDER_UNAVAILABLE', check.detail)
      }
      const sealed = { accountSid: input.accountSid, authTokenEnc: credentials.seal(userId, input.authToken) }
      await stores.accounts.saveTwilioAccount(userId, sealed, clock.now())
      credentials.forget(userId)
      logger.info({ userId, accountSid: input.accountSid }, 'twilio credentials set')
      return db.user.findUniqueOrThrow(byId(query, userId))
    },
  }),
  clearTwilioCredentials: t.withAuth({ owner: true }).prismaField({
    type: 'User',
    description: 'Removes the user’s Twilio credentials: its Twilio actions stop sending at once.',
    errors: { ...mutationErrors(), dataField: { name: 'user' } },
    resolve: async (query, _r, _a, ctx) => {
      const { stores, credentials, db } = ctx.services
      await stores.accounts.clearTwilioAccount(ctx.auth.userId)
      credentials.forget(ctx.auth.userId)
      return db.user.findUniqueOrThrow(byId(query, ctx.auth.userId))
    },
  }),
}))
