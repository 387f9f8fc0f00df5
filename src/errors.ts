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
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Base of the typed errors that GraphQL returns as `Error` union members. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
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

/** Provider set-up problems: not enabled, credentials missing or rejected, number not owned. */
export class ProviderError extends AppError {}

/** Refusals that may succeed if the same request is sent again a little later. */
const RETRYABLE: readonly ErrorCode[] = ['RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'TEMPORARILY_UNAVAILABLE']

/** A refusal of sendSms or previewSms, with a sentence the voice agent can say or act on. */
export class SendSmsError extends AppError {
  /** Whether the same request (with the same idempotencyKey) may succeed later. */
  get retryable(): boolean {
    return RETRYABLE.includes(this.code)
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
