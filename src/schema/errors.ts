import {
  AlreadyExistsError,
  type AppError,
  AuthorizationError,
  ERROR_CODES,
  NotFoundError,
  ProviderError,
  ValidationError,
} from '../errors.js'
import { builder } from './builder.js'

export const ErrorCode = builder.enumType('ErrorCode', { values: ERROR_CODES })

export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCode, resolve: (e) => e.code }),
  }),
})

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { nullable: true }) }),
})

for (const [cls, name] of [
  [NotFoundError, 'NotFoundError'],
  [AlreadyExistsError, 'AlreadyExistsError'],
  [AuthorizationError, 'AuthorizationError'],
  [ProviderError, 'ProviderError'],
] as const) {
  builder.objectType(cls as typeof AppError, { name, interfaces: [ErrorInterface], fields: () => ({}) })
}

type ErrorClass = typeof AppError | typeof ValidationError

/**
 * The error types of a configuration mutation: the ones every such mutation can answer (a
 * refused caller, a malformed input), then its own.
 */
export const mutationErrors = (...own: ErrorClass[]) => ({ types: [AuthorizationError, ValidationError, ...own] })
