import { type Db, type Executor, Prisma } from '../db/client.js'

/** A limit: at most `limit` units of the counter `key`, which lives until `expiresAt`. */
export interface Slot {
  key: string
  limit: number
  expiresAt: Date
}

/** The UsageCounter table: conditional counters that enforce limits in the database, across instances. */
export function countersStore(db: Db) {
  return {
    /**
     * Takes one unit of each counter, creating it when it does not exist yet, in one statement: an
     * upsert whose update applies only below the limit (atomic on SQLite and PostgreSQL, where a
     * concurrent creation waits instead of failing). Returns the keys that were used up; the caller
     * rolls back its transaction when there are any.
     */
    async take(tx: Executor, slots: Slot[]): Promise<string[]> {
      const rows = slots.map((s) => Prisma.sql`(${s.key}, 1, ${s.expiresAt})`)
      const below = slots.map((s) => Prisma.sql`("UsageCounter"."key" = ${s.key} AND "UsageCounter"."count" < ${s.limit})`)
      const taken = await tx.$queryRaw<{ key: string }[]>`INSERT INTO "UsageCounter" ("key", "count", "expiresAt")
        VALUES ${Prisma.join(rows)}
        ON CONFLICT ("key") DO UPDATE SET "count" = "UsageCounter"."count" + 1
        WHERE ${Prisma.join(below, ' OR ')}
        RETURNING "key"`
      const keys = new Set(taken.map((t) => t.key))
      return slots.filter((s) => !keys.has(s.key)).map((s) => s.key)
    },

    /** Gives back one unit of each counter (a text that never went out). */
    async giveBack(keys: string[]): Promise<void> {
      if (keys.length === 0) return
      await db.$executeRaw`UPDATE "UsageCounter" SET "count" = "count" - 1 WHERE "key" IN (${Prisma.join(keys)}) AND "count" > 0`
    },

    /** How many units of each counter are used (0 when it does not exist). */
    async used(keys: string[]): Promise<Map<string, number>> {
      const rows = await db.usageCounter.findMany({ where: { key: { in: keys } }, select: { key: true, count: true } })
      return new Map(keys.map((k) => [k, rows.find((r) => r.key === k)?.count ?? 0]))
    },

    /** Deletes counters whose window is long past. */
    async prune(now: Date): Promise<number> {
      return (await db.usageCounter.deleteMany({ where: { expiresAt: { lt: now } } })).count
    },
  }
}

export type CountersStore = ReturnType<typeof countersStore>
