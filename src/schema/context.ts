import type { Auth, Viewer } from '../auth.js'
import type { ErrorCode } from '../errors.js'
import type { Services } from '../services.js'

/** Why a caller cannot be served right now, whatever it asks (src/http/guards.ts callerRefusal). */
export interface Refusal {
  code: ErrorCode
  message: string
  /** When the caller's budget refills (a rate limit's refusal). */
  retryInMs?: number
}

/** What every resolver receives: the caller, the request's id and the service's dependencies. */
export interface Context {
  auth: Auth | null
  refusal?: Refusal
  requestId: string
  services: Services
  /** Set by graphql-ws when a subscription's execution is shared among the user's keys: the name it is held under. */
  sharedAs?: string
}

/** The context of a caller holding an API key (scopes owner, agent, reader). */
export interface ViewerContext extends Context {
  auth: Viewer
}

/** The viewer of a context whose field declared a key scope (owner, agent, reader). */
export function viewerOf(ctx: Context): Viewer {
  if (ctx.auth?.kind !== 'key') throw new Error('a key scope was declared, yet the caller holds no key')
  return ctx.auth
}
