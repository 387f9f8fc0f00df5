import type { Db } from '../db/client.js'
import { LimitReachedError } from '../errors.js'

/** The refusal of one more of `what`. */
export const tooMany = (what: string) => (cap: number) => new LimitReachedError(`An account may have ${cap} ${what}`)

/** The client inside an interactive transaction. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

/**
 * Runs `create` only while the user holds fewer than `cap` of what `count` counts. The user's row
 * is written first, so on PostgreSQL concurrent creations of one user wait for each other and
 * cannot pass the cap together (SQLite runs one transaction at a time anyway).
 */
export function createWithinCap<T>(
  db: Db,
  userId: string,
  limit: { cap: number; refusal: (cap: number) => Error },
  count: (tx: Tx) => Promise<number>,
  create: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`UPDATE "User" SET "id" = "id" WHERE "id" = ${userId}`
      if ((await count(tx)) >= limit.cap) throw limit.refusal(limit.cap)
      return create(tx)
    },
    // Waits behind other writers (a burst of sends) rather than failing after Prisma's 2 s default.
    { maxWait: 10_000, timeout: 10_000 },
  )
}
