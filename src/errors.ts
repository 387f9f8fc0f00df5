import { GraphQLError, type GraphQLErrorOptions } from 'graphql'

/** Every code a typed error can carry (API.md lists the fixed ones; ALREADY_EXISTS is ours). */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PROVIDER_NOT_ENABLED',
  'TWILIO_CREDENTIALS_MISSING',
  'TWILIO_CREDENTIALS_INVALID',
  'FROM_NUMBER_NOT_OWNED',
  'ACTION_NOT_ATTACHED',
  'ACTION_DISABLED',
  'INVALID_RECIPIENT',
  'RECIPIENT_NOT_ALLOWED',
  'LANDLINE_RECIPIENT',
  'OPTED_OUT',
  'CALL_LIMIT_REACHED',
  'RATE_LIMITED',
  'RECIPIENT_LIMIT_REACHED',
  'DAILY_LIMIT_REACHED',
  'CONSENT_REQUIRED',
  'BODY_TOO_LONG',
  'IDEMPOTENCY_CONFLICT',
  'PROVIDER_ERROR',
  'PROVIDER_UNAVAILABLE',
  'TEMPORARILY_UNAVAILABLE',
  'UNSAFE_URL',
  'LIMIT_REACHED',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** What each code means, for the schema's reference. */
export const ERROR_CODE_MEANINGS: Record<ErrorCode, string> = {
  VALIDATION: 'The input breaks a rule; `message` (and ValidationError.field) say which.',
  NOT_FOUND: 'No such id among the caller’s own (another user’s ids are not found either).',
  ALREADY_EXISTS: 'The name or email is taken.',
  UNAUTHENTICATED: 'No valid API key (or operator token) was given.',
  FORBIDDEN: 'The key’s role may not do this.',
  PROVIDER_NOT_ENABLED: 'The provider is not enabled for this account (the operator enables providers).',
  TWILIO_CREDENTIALS_MISSING: 'The account has no Twilio credentials (setTwilioCredentials).',
  TWILIO_CREDENTIALS_INVALID: 'Twilio refused the account’s credentials.',
  FROM_NUMBER_NOT_OWNED: 'The Twilio account does not own that number, or it cannot send SMS.',
  ACTION_NOT_ATTACHED: 'The action is not attached to that campaign.',
  ACTION_DISABLED: 'The action is switched off.',
  INVALID_RECIPIENT: 'The recipient is not a valid number that can receive texts.',
  RECIPIENT_NOT_ALLOWED: 'The number cannot be texted from this sender (region or carrier).',
  LANDLINE_RECIPIENT: 'The number is a landline.',
  OPTED_OUT: 'The number opted out of texts from this sender.',
  CALL_LIMIT_REACHED: 'The action already sent maxPerCall texts on this call.',
  RATE_LIMITED: 'Too many requests or texts in a short time; try again shortly.',
  RECIPIENT_LIMIT_REACHED: 'The number already received as many texts from this sender as allowed this hour or day.',
  DAILY_LIMIT_REACHED: 'The account sent as many texts as allowed today.',
  CONSENT_REQUIRED: 'The action sends only once the caller agreed (callerAgreed).',
  BODY_TOO_LONG: 'The text is over 1,600 characters.',
  IDEMPOTENCY_CONFLICT: 'The idempotencyKey was used with a different request.',
  PROVIDER_ERROR: 'The provider refused the text.',
  PROVIDER_UNAVAILABLE: 'The provider did not answer (after retries).',
  TEMPORARILY_UNAVAILABLE: 'The service’s database is briefly unavailable; the same request may succeed in a few seconds.',
  UNSAFE_URL: 'The webhook URL points to a private, loopback or link-local address (or a name that resolves to one).',
  LIMIT_REACHED: 'The account already has as many of these as allowed.',
}

/**
 * Runs `make` with stack traces off. An expected refusal's stack is never shown, and capturing it
 * cost more than the rest of answering a refused request (a tenth of the CPU under a flood of them).
 */
function stackless<T>(make: () => T): T {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return make()
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** A refusal as GraphQL answers it, with `extensions.code`, built without a stack trace. */
export const refusalError = (code: string, message: string, options: GraphQLErrorOptions = {}) =>
  stackless(() => new GraphQLError(message, { ...options, extensions: { code, ...options.extensions } }))

/** Base of the typed errors that GraphQL returns as `Error` union members (expected: no stack trace). */
export class AppError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    // As stackless() does; super() cannot run inside a callback.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message)
    Error.stackTraceLimit = limit
    this.code = code
    this.name = new.target.name
  }
}

/** Input that breaks a rule; `field` names the input path when there is one. */
export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('VALIDATION', message)
  }
}

/** Missing or foreign ids (a foreign id is never told apart from a missing one). */
export class NotFoundError extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`)
  }
}

/** A unique name already in use. */
export class AlreadyExistsError extends AppError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message)
  }
}

/** No valid credentials (UNAUTHENTICATED) or a role that may not do this (FORBIDDEN). */
export class AuthorizationError extends AppError {}

/** The account already has as many actions, campaigns or API keys as allowed (LIMIT_REACHED). */
export class LimitReachedError extends AppError {
  constructor(message: string) {
    super('LIMIT_REACHED', message)
  }
}

/** A webhook endpoint refused: its URL reaches inside the network (UNSAFE_URL), or there are too many (LIMIT_REACHED). */
export class WebhookEndpointError extends AppError {}

/** Provider set-up problems: not enabled, credentials missing or rejected, number not owned. */
export class ProviderError extends AppError {}

/** Refusals that may succeed if the same request is sent again a little later. */
const RETRYABLE: readonly ErrorCode[] = ['RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'TEMPORARILY_UNAVAILABLE']
export const isRetryable = (code: ErrorCode) => RETRYABLE.includes(code)

/** A refusal of sendSms or previewSms, with a sentence the voice agent can say or act on. */
export class SendSmsError extends AppError {
  /** Whether the same request (with the same idempotencyKey) may succeed later. */
  get retryable(): boolean {
    return isRetryable(this.code)
  }

  constructor(
    code: ErrorCode,
    message: string,
    readonly agentMessage: string,
    readonly deliveryId?: string,
  ) {
    super(code, message)
  }
}
