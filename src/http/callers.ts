import type { Plugin } from 'graphql-yoga'
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { type Auth, bearerToken } from '../auth.js'
import { isTransientDbError } from '../db/client.js'
import type { Refusal } from '../schema/context.js'
import type { Services } from '../services.js'

/** Who is calling, settled once per request before anything else reads it. */
export interface Caller {
  auth: Auth | null
  /** Set when the caller cannot be served now: the database is down, or the caller's request budget is spent. */
  refusal?: Refusal
}

const UNAVAILABLE: Refusal = {
  code: 'TEMPORARILY_UNAVAILABLE',
  message: 'The service is briefly unavailable (its database is not answering); try again in a few seconds',
}

/**
 * A budget per caller per second, in Redis when configured (so it holds across instances), else
 * in this process; `take` spends `amount` and answers the refusal when the budget is spent.
 */
function perSecondBudget(store: { client?: Redis; prefix: string }, name: string, points: number, refusal: string) {
  const local = new RateLimiterMemory({ points, duration: 1 })
  const limiter = store.client
    ? new RateLimiterRedis({
        storeClient: store.client,
        keyPrefix: `${store.prefix}:${name}`,
        points,
        duration: 1,
        // Redis lost: each instance keeps the budget on its own rather than refusing everyone.
        insuranceLimiter: local,
      })
    : local
  return async (who: string, amount = 1): Promise<Refusal | undefined> => {
    try {
      await limiter.consume(who, amount)
      return undefined
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e
      const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000))
      return { code: 'RATE_LIMITED', message: `${refusal}; retry in ${seconds} s` }
    }
  }
}

/**
 * The per-key budgets, on one Redis connection when configured: requests per second (the
 * operator's token counts as one key; callers without a key count per address), and query cost
 * per second (a few heavy reads, or many light ones; per key, so a dashboard's heavy reads never
 * starve the same account's agent).
 */
export function createBudgets({ config, redis }: Pick<Services, 'config' | 'redis'>) {
  const store = { client: redis?.open('rate-limit'), prefix: config.queue.prefix }
  const { keyRequestsPerSecond: requests, keyCostPerSecond: cost } = config.limits
  return {
    requests: perSecondBudget(store, 'requests', requests, `More than ${requests} requests a second with this key`),
    cost: perSecondBudget(store, 'query-cost', cost, `More than ${cost} of query cost a second with this key`),
  }
}

export type Budgets = ReturnType<typeof createBudgets>
export type RequestBudget = Budgets['requests']

/** The name a caller's budget is kept under. */
export const budgetKey = (auth: Auth | null, address: string | undefined) =>
  auth?.kind === 'key' ? `key:${auth.keyId}` : auth ? 'operator' : `ip:${address ?? 'unknown'}`

/** Settles the caller of an HTTP or SSE request (its key, and whether it may be served now) into yoga's server context. */
export async function settleCaller(services: Services, budget: RequestBudget, header: string | null, address?: string): Promise<Caller> {
  let auth: Auth | null
  try {
    auth = await services.authenticate(bearerToken(header))
  } catch (err) {
    if (!isTransientDbError(err)) throw err
    return { auth: null, refusal: UNAVAILABLE }
  }
  const refusal = await budget(budgetKey(auth, address))
  return { auth, refusal }
}

/** Yoga plugin: every request's caller is settled before it is parsed, validated or executed. */
export function useCallers(services: Services, budget: RequestBudget): Plugin<Record<string, unknown>> {
  return {
    async onRequestParse({ request, serverContext }) {
      const context = serverContext as Partial<Caller> & { req?: { socket?: { remoteAddress?: string } } }
      if (context.auth !== undefined) return
      Object.assign(context, await settleCaller(services, budget, request.headers.get('authorization'), context.req?.socket?.remoteAddress))
    },
  }
}
