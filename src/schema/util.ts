import type { GraphQLResolveInfo } from 'graphql'
import { z } from 'zod'
import { CALL_ID_MAX } from '../sms/sending/input.js'
/**
 * The Prisma arguments that read one row by id for a Pothos prisma field. Pothos hands mutations
 * an empty `select` when the client asks only for `__typename` of a result union, and Prisma
 * rejects an empty select, so the id is asked for then.
 */
export function byId<Q extends object>(query: Q, id: string): Q & { where: { id: string } } {
  const select = (query as { select?: object }).select
  const shaped = select && Object.keys(select).length === 0 ? { ...query, select: { id: true } } : query
  return { ...shaped, where: { id } }
}

/** Deliveries come in pages of 20 by default, 100 at most. */
export const PAGE = { defaultSize: 20, maxSize: 100 }

/** The cost of a connection for the complexity rule: what it selects counts once per row of the page asked for. */
export const connectionCost = (args: { first?: number | null; last?: number | null }) => ({
  field: 1,
  multiplier: Math.min(Math.max(args.first ?? args.last ?? PAGE.defaultSize, 0), PAGE.maxSize),
})

/** A call id argument of a read: no text is sent on a longer one. */
export const callIdArg = z.string().max(CALL_ID_MAX)

/**
 * A value kept per execution: a request's, or each event's of a subscription, whose context lives
 * as long as the subscription (the event's payload, its root value, is shared by the user's other
 * subscriptions, so it is keyed with the context).
 */
export function perExecution<C extends object, T>(make: (ctx: C) => T) {
  const byContext = new WeakMap<C, WeakMap<object, T>>()
  return (ctx: C, info: GraphQLResolveInfo): T => {
    const event: object = typeof info.rootValue === 'object' && info.rootValue !== null ? info.rootValue : ctx
    let mine = byContext.get(ctx)
    if (!mine) {
      mine = new WeakMap()
      byContext.set(ctx, mine)
    }
    let value = mine.get(event)
    if (value === undefined) {
      value = make(ctx)
      mine.set(event, value)
    }
    return value
  }
}
