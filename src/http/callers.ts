import type { Plugin } from 'graphql-yoga'
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
function perSecondBudget({ config, redis }: Pick<Services, 'config' | 'redis'>, name: string, points: number, refusal: string) {
  const local = new RateLimiterMemory({ points, duration: 1 })
  const limiter = redis
    ? new RateLimiterRedis({
        storeClient: redis.open(name),
        keyPrefix: `${config.queue.prefix}:${name}`,
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

/** Requests per second for each API key (the operator's token counts as one key; callers without a key count per address). */
export const createRequestBudget = (services: Pick<Services, 'config' | 'redis'>) => {
  const perSecond = services.config.limits.keyRequestsPerSecond
  return perSecondBudget(services, 'requests', perSecond, `More than ${perSecond} requests a second with this key`)
}

/**
 * Query cost per second for each API key: a few heavy reads, or many light ones. Per key, so a
 * dashboard's heavy reads never starve the same account's agent.
 */
export const createCostBudget = (services: Pick<Services, 'config' | 'redis'>) => {
  const perSecond = services.config.limits.keyCostPerSecond
  return perSecondBudget(services, 'query-cost', perSecond, `More than ${perSecond} of query cost a second with this key`)
}

export type RequestBudget = ReturnType<typeof createRequestBudget>

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
