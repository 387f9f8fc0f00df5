import type { Plugin } from 'graphql-yoga'
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { type Auth, bearerToken } from '../auth.js'
import { isTransientDbError } from '../db/client.js'
import { refusalError } from '../errors.js'
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

/** At most this many callers are remembered as having spent a budget (expired ones are forgotten first). */
const REMEMBERED_SPENDERS = 10_000

/**
 * A budget per caller per second, in Redis when configured (so it holds across instances), else
 * in this process; `take` spends `amount` and answers the refusal when the budget is spent.
 * `spent` answers the same refusal, without spending, while a refusal this process gave lasts.
 */
function perSecondBudget(store: { client?: Redis; prefix: string }, name: string, points: number, refusal: string) {
  const local = new RateLimiterMemory({ points, duration: 1 })
  const limiter = store.client
    ? new RateLimiterRedis({
        storeClient: store.client,
        keyPrefix: `${store.prefix}:${name}`,
        points,
        duration: 1,
        // Redis lost: each instance keeps the budget on its own rather than refusing everyone (or waiting for Redis).
        insuranceLimiter: local,
        rejectIfRedisNotReady: true,
      })
    : local
  const spentUntil = new Map<string, number>()
  const refused = (msBeforeNext: number): Refusal => ({
    code: 'RATE_LIMITED',
    message: `${refusal}; retry in ${Math.max(1, Math.ceil(msBeforeNext / 1000))} s`,
    retryInMs: msBeforeNext,
  })
  const remember = (who: string, until: number) => {
    if (spentUntil.size >= REMEMBERED_SPENDERS) {
      for (const [key, at] of spentUntil) if (at <= Date.now()) spentUntil.delete(key)
      if (spentUntil.size >= REMEMBERED_SPENDERS) spentUntil.clear()
    }
    spentUntil.set(who, until)
  }
  const take = async (who: string, amount = 1): Promise<Refusal | undefined> => {
    try {
      await limiter.consume(who, amount)
      return undefined
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e
      remember(who, Date.now() + e.msBeforeNext)
      return refused(e.msBeforeNext)
    }
  }
  const spent = (who: string): Refusal | undefined => {
    const until = spentUntil.get(who)
    if (until === undefined) return undefined
    if (until > Date.now()) return refused(until - Date.now())
    spentUntil.delete(who)
    return undefined
  }
  return Object.assign(take, { spent })
}

/**
 * The per-key budgets, on one Redis connection when configured: requests per second (the
 * operator's token counts as one key; callers without a key count per address), and query cost
 * per second (a few heavy reads, or many light ones; per key, so a dashboard's heavy reads never
 * starve the same account's agent).
 */
export function createBudgets({ config, redis }: Pick<Services, 'config' | 'redis'>) {
  const store = { client: redis?.open('rate-limit'), prefix: config.queue.prefix }
  const { keyRequestsPerSecond: requests, userRequestsPerSecond: userRequests, keyCostPerSecond: cost } = config.limits
  const perKey = perSecondBudget(store, 'requests', requests, `More than ${requests} requests a second with this key`)
  // One account's many keys (up to API_KEYS_PER_USER) must not add up to every other account's share.
  const perUser = perSecondBudget(
    store,
    'user-requests',
    userRequests,
    `More than ${userRequests} requests a second with this account's keys`,
  )
  const requestsOf: RequestBudget = async (auth, address) =>
    (await perKey(budgetKey(auth, address))) ?? (auth?.kind === 'key' ? await perUser(`user:${auth.userId}`) : undefined)
  return {
    requests: requestsOf,
    cost: perSecondBudget(store, 'query-cost', cost, `More than ${cost} of query cost a second with this key`),
  }
}

export type Budgets = ReturnType<typeof createBudgets>
/** Spends a request of the caller's budgets (its key's, then its account's); the refusal when one is spent. */
export type RequestBudget = (auth: Auth | null, address: string | undefined) => Promise<Refusal | undefined>

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
  const refusal = await budget(auth, address)
  return { auth, refusal }
}

type CallerContext = Partial<Caller> & { req?: { socket?: { remoteAddress?: string } } }

/**
 * Yoga plugin: every request's caller is settled before it is parsed, validated or executed. A
 * caller whose query cost budget was refused within the second is refused again at once, before
 * its operation is parsed and validated (a heavy document takes milliseconds to validate).
 */
export function useCallers(services: Services, budgets: Budgets): Plugin<Record<string, unknown>> {
  return {
    async onRequestParse({ request, serverContext }) {
      const context = serverContext as CallerContext
      if (context.auth !== undefined) return
      Object.assign(
        context,
        await settleCaller(services, budgets.requests, request.headers.get('authorization'), context.req?.socket?.remoteAddress),
      )
    },
    onParams({ context, setResult }) {
      const caller = context as CallerContext
      if (caller.auth === undefined || caller.refusal) return
      const spent = budgets.cost.spent(budgetKey(caller.auth, caller.req?.socket?.remoteAddress))
      if (spent) setResult({ errors: [refusalError(spent.code, spent.message)] })
    },
  }
}
