import { z } from 'zod'
import { generateApiKey, userIdOf } from '../auth.js'
import { encryptSecret } from '../crypto.js'
import { db } from '../db.js'
import { AlreadyExistsError, BASE_ERRORS, NotFoundError, ProviderError, ValidationError } from '../errors.js'
import { ApiKeyRole as ApiKeyRoleValues, SmsProvider as SmsProviderValues } from '../generated/prisma/enums.js'
import { logger } from '../logger.js'
import { formatProviders, parseProviders } from '../providers.js'
import { pubsub } from '../pubsub.js'
import { forgetCredentials } from '../sms/credentials.js'
import { verifyTwilioCredentials } from '../sms/twilio.js'
import { createUserWithOwnerKey } from '../users.js'
import { builder } from './builder.js'
import { nonEmpty } from './util.js'

export const SmsProvider = builder.enumType('SmsProvider', { values: Object.values(SmsProviderValues) })
export const ApiKeyRole = builder.enumType('ApiKeyRole', { values: Object.values(ApiKeyRoleValues) })

export const TwilioAccount = builder.prismaObject('TwilioAccount', {
  select: { id: true },
  description: 'The Twilio account SMS actions send through. The auth token is never readable.',
  fields: (t) => ({
    accountSid: t.exposeString('accountSid'),
    verifiedAt: t.expose('verifiedAt', { type: 'DateTime', nullable: true }),
  }),
})

export const User = builder.prismaObject('User', {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    name: t.exposeString('name', { nullable: true }),
    enabledProviders: t.field({
      type: [SmsProvider],
      select: { enabledProviders: true },
      resolve: (u) => parseProviders(u.enabledProviders),
    }),
    twilio: t.relation('twilio', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
})

export const ApiKey = builder.prismaObject('ApiKey', {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.expose('role', { type: ApiKeyRole }),
    prefix: t.exposeString('prefix'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
  }),
})

type CreatedKey = { apiKey: { id: string }; key: string }

const CreateUserSuccess = builder.objectRef<CreatedKey & { userId: string }>('CreateUserSuccess').implement({
  fields: (t) => ({
    user: t.prismaField({
      type: 'User',
      resolve: (query, p) => db.user.findUniqueOrThrow({ ...nonEmpty(query), where: { id: p.userId } }),
    }),
  }),
})
const CreateApiKeySuccess = builder.objectRef<CreatedKey>('CreateApiKeySuccess').implement({ fields: () => ({}) })
for (const ref of [CreateUserSuccess, CreateApiKeySuccess]) {
  builder.objectFields(ref as typeof CreateApiKeySuccess, (t) => ({
    apiKey: t.prismaField({
      type: 'ApiKey',
      resolve: (query, p) => db.apiKey.findUniqueOrThrow({ ...nonEmpty(query), where: { id: p.apiKey.id } }),
    }),
    key: t.string({ description: 'The key itself. Shown once: only its hash is stored.', resolve: (p) => p.key }),
  }))
}

const providerList = z.array(z.enum(SmsProviderValues)).max(2)

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    email: t.string({ required: true, validate: z.email().max(254) }),
    name: t.string({ validate: z.string().trim().min(1).max(200) }),
    enabledProviders: t.field({ type: [SmsProvider], description: 'Default: [ATLAS].', validate: providerList }),
  }),
})

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true, validate: z.string().trim().min(1).max(100) }),
    role: t.field({ type: ApiKeyRole, required: true }),
    userId: t.id({ description: 'Operator only: the user the key is for.' }),
  }),
})

const SetTwilioCredentialsInput = builder.inputType('SetTwilioCredentialsInput', {
  fields: (t) => ({
    accountSid: t.string({ required: true, validate: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits') }),
    authToken: t.string({ required: true, validate: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits') }),
  }),
})

builder.queryFields((t) => ({
  viewer: t.prismaField({
    type: 'User',
    authScopes: { reader: true },
    resolve: (query, _r, _a, ctx) => db.user.findUniqueOrThrow({ ...nonEmpty(query), where: { id: userIdOf(ctx.auth) } }),
  }),
  users: t.prismaField({
    type: ['User'],
    description: 'Operator only: every user.',
    authScopes: { operator: true },
    resolve: (query) => db.user.findMany({ ...nonEmpty(query), orderBy: { createdAt: 'asc' } }),
  }),
  apiKeys: t.prismaField({
    type: ['ApiKey'],
    description: "The caller's keys (OWNER), revoked ones included.",
    authScopes: { owner: true },
    resolve: (query, _r, _a, ctx) =>
      db.apiKey.findMany({ ...nonEmpty(query), where: { userId: userIdOf(ctx.auth) }, orderBy: { createdAt: 'asc' } }),
  }),
}))

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserSuccess,
    authScopes: { operator: true },
    errors: { types: [...BASE_ERRORS, AlreadyExistsError], directResult: true },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (_r, { input }) => {
      const { userId, apiKeyId, key } = await createUserWithOwnerKey(input)
      return { userId, apiKey: { id: apiKeyId }, key }
    },
  }),
  setEnabledProviders: t.prismaField({
    type: 'User',
    authScopes: { operator: true },
    errors: { types: [...BASE_ERRORS, NotFoundError], dataField: { name: 'user' } },
    args: { userId: t.arg.id({ required: true }), providers: t.arg({ type: [SmsProvider], required: true }) },
    resolve: async (query, _r, { userId, providers }) => {
      const found = await db.user.findUnique({ where: { id: String(userId) }, select: { id: true } })
      if (!found) throw new NotFoundError('User')
      return db.user.update({ ...nonEmpty(query), where: { id: found.id }, data: { enabledProviders: formatProviders(providers) } })
    },
  }),
  createApiKey: t.field({
    type: CreateApiKeySuccess,
    authScopes: { operator: true, owner: true },
    errors: { types: [...BASE_ERRORS, NotFoundError], directResult: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      let userId: string
      if (ctx.auth?.kind === 'operator') {
        if (!input.userId) throw new ValidationError('userId is required when the operator creates a key', 'input.userId')
        userId = String(input.userId)
      } else {
        userId = userIdOf(ctx.auth)
        if (input.userId && String(input.userId) !== userId) throw new NotFoundError('User')
      }
      if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw new NotFoundError('User')
      const { key, prefix, hash } = generateApiKey()
      const apiKey = await db.apiKey.create({ data: { userId, name: input.name, role: input.role, prefix, hash } })
      return { apiKey, key }
    },
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    authScopes: { operator: true, owner: true },
    errors: { types: [...BASE_ERRORS, NotFoundError], dataField: { name: 'apiKey' } },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, { id }, ctx) => {
      const owner = ctx.auth?.kind === 'key' ? ctx.auth.userId : undefined
      const key = await db.apiKey.findFirst({ where: { id: String(id), ...(owner ? { userId: owner } : {}) } })
      if (!key) throw new NotFoundError('API key')
      if (key.revokedAt) return db.apiKey.findUniqueOrThrow({ ...nonEmpty(query), where: { id: key.id } })
      const revoked = await db.apiKey.update({ ...nonEmpty(query), where: { id: key.id }, data: { revokedAt: new Date() } })
      pubsub.publish('apiKey:revoked', { keyId: key.id })
      return revoked
    },
  }),
  setTwilioCredentials: t.prismaField({
    type: 'User',
    authScopes: { owner: true },
    errors: { types: [...BASE_ERRORS, ProviderError], dataField: { name: 'user' } },
    args: { input: t.arg({ type: SetTwilioCredentialsInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const userId = userIdOf(ctx.auth)
      const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { enabledProviders: true } })
      if (!parseProviders(user.enabledProviders).includes('TWILIO')) {
        throw new ProviderError('PROVIDER_NOT_ENABLED', 'Twilio is not enabled for this account')
      }
      const check = await verifyTwilioCredentials(input.accountSid, input.authToken)
      if (!check.ok) {
        logger.warn({ userId, accountSid: input.accountSid, reason: check.reason }, 'twilio credentials refused')
        throw new ProviderError(check.reason === 'invalid' ? 'TWILIO_CREDENTIALS_INVALID' : 'PROVIDER_UNAVAILABLE', check.detail)
      }
      const data = { accountSid: input.accountSid, authTokenEnc: encryptSecret(input.authToken, userId), verifiedAt: new Date() }
      await db.twilioAccount.upsert({ where: { userId }, create: { userId, ...data }, update: data })
      forgetCredentials(userId)
      logger.info({ userId, accountSid: input.accountSid }, 'twilio credentials set')
      return db.user.findUniqueOrThrow({ ...nonEmpty(query), where: { id: userId } })
    },
  }),
  clearTwilioCredentials: t.prismaField({
    type: 'User',
    authScopes: { owner: true },
    errors: { types: [...BASE_ERRORS], dataField: { name: 'user' } },
    resolve: async (query, _r, _a, ctx) => {
      const userId = userIdOf(ctx.auth)
      await db.twilioAccount.deleteMany({ where: { userId } })
      forgetCredentials(userId)
      return db.user.findUniqueOrThrow({ ...nonEmpty(query), where: { id: userId } })
    },
  }),
}))
