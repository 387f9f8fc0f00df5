import SchemaBuilder from '@pothos/core'
import ComplexityPlugin from '@pothos/plugin-complexity'
import ErrorsPlugin from '@pothos/plugin-errors'
import PrismaPlugin from '@pothos/plugin-prisma'
import RelayPlugin from '@pothos/plugin-relay'
import ScopeAuthPlugin from '@pothos/plugin-scope-auth'
import ValidationPlugin from '@pothos/plugin-validation'
import { DateTimeResolver, JSONResolver } from 'graphql-scalars'
import { AuthorizationError, ValidationError } from '../errors.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { getDatamodel } from '../generated/pothos-types.js'
import type { Context, ViewerContext } from './context.js'
import { pacingPlugin } from './pacing.js'

export const builder = new SchemaBuilder<{
  Context: Context
  PrismaTypes: PrismaTypes
  AuthScopes: { operator: boolean; owner: boolean; agent: boolean; reader: boolean }
  AuthContexts: { owner: ViewerContext; agent: ViewerContext; reader: ViewerContext }
  Scalars: {
    DateTime: { Input: Date; Output: Date }
    JSON: { Input: unknown; Output: unknown }
  }
  DefaultFieldNullability: false
}>({
  // Errors wraps scope-auth, so refusals come back as typed `Error` members of result unions.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ValidationPlugin, ComplexityPlugin, pacingPlugin],
  // Costs for the validation rule (src/http/guards.ts); lists multiply what is under them by 10,
  // connections by their `first`, and edges add nothing of their own.
  complexity: { disabled: true, defaultComplexity: 1, defaultListMultiplier: 10 },
  defaultFieldNullability: false,
  prisma: { client: (ctx) => ctx.services.db, dmmf: getDatamodel(), filterConnectionTotalCount: true, onUnusedQuery: null },
  relay: { clientMutationId: 'omit', cursorType: 'String', edgesFieldOptions: { complexity: { field: 0, multiplier: 1 } } },
  errors: {
    defaultTypes: [],
    unsafelyHandleInputErrors: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${pascal(fieldName)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${pascal(fieldName)}Success` },
  },
  validation: {
    validationError: (result) => {
      const issue = result.issues[0]
      const path = issue?.path?.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')
      return new ValidationError(path ? `${path}: ${issue?.message}` : (issue?.message ?? 'Invalid input'), path)
    },
  },
  scopeAuth: {
    // Subscriptions are authorized when they start (scope-auth otherwise checks each event's resolve).
    authorizeOnSubscribe: true,
    // A caller that cannot be served now (its budget spent, the database down) has no scope at all.
    authScopes: ({ auth: caller, refusal }) => {
      const auth = refusal ? null : caller
      const role = auth?.kind === 'key' ? auth.role : undefined
      return {
        operator: auth?.kind === 'operator',
        owner: role === 'OWNER',
        agent: role === 'OWNER' || role === 'AGENT',
        reader: role !== undefined,
      }
    },
    unauthorizedError: (_parent, ctx) => {
      if (ctx.refusal) return new AuthorizationError(ctx.refusal.code, ctx.refusal.message)
      return ctx.auth
        ? new AuthorizationError('FORBIDDEN', 'This key may not do that')
        : new AuthorizationError('UNAUTHENTICATED', 'A valid API key is required (Authorization: Bearer <key>)')
    },
  },
})

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}

// As its ISO text: graphql-scalars answers a Date, which JSON.stringify then converts by calling
// toJSON on each (half the cost of serializing a page of deliveries).
builder.addScalarType('DateTime', DateTimeResolver, {
  serialize: (value) => (DateTimeResolver.serialize(value) as Date).toISOString() as unknown as Date,
})
builder.addScalarType('JSON', JSONResolver)
builder.queryType()
builder.mutationType()
