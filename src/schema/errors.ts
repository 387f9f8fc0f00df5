import {
  AlreadyExistsError,
  type AppError,
  AuthorizationError,
  ERROR_CODE_MEANINGS,
  ERROR_CODES,
  LimitReachedError,
  NotFoundError,
  ProviderError,
  ValidationError,
  WebhookEndpointError,
} from '../errors.js'
import { builder } from './builder.js'

export const ErrorCode = builder.enumType('ErrorCode', {
  description: 'Why an operation was refused.',
  values: Object.fromEntries(ERROR_CODES.map((c) => [c, { description: ERROR_CODE_MEANINGS[c] }])) as Record<
    (typeof ERROR_CODES)[number],
    { description: string }
  >,
})

export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'A refusal: every mutation answers its result type, or one of these.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What was wrong, for a person.' }),
    code: t.field({ type: ErrorCode, description: 'What was wrong, for a program.', resolve: (e) => e.code }),
  }),
})

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input breaks a rule.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { nullable: true, description: 'The input field at fault, e.g. input.name.' }) }),
})

for (const [cls, name, description] of [
  [NotFoundError, 'NotFoundError', 'No such id among the caller’s own.'],
  [AlreadyExistsError, 'AlreadyExistsError', 'The name or email is taken.'],
  [AuthorizationError, 'AuthorizationError', 'The caller may not do this now: no key, a key whose role may not, or a spent budget.'],
  [LimitReachedError, 'LimitReachedError', 'The account already has as many of these as allowed.'],
  [ProviderError, 'ProviderError', 'The SMS provider’s set-up is missing or refused.'],
  [WebhookEndpointError, 'WebhookEndpointError', 'The webhook endpoint was refused: an unsafe URL, or too many endpoints.'],
] as const) {
  builder.objectType(cls as typeof AppError, { name, description, interfaces: [ErrorInterface], fields: () => ({}) })
}

type ErrorClass = typeof AppError | typeof ValidationError

/**
 * The error types of a configuration mutation: the ones every such mutation can answer (a
 * refused caller, a malformed input), then its own.
 */
export const mutationErrors = (...own: ErrorClass[]) => ({ types: [AuthorizationError, ValidationError, ...own] })
