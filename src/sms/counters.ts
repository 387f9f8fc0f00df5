import { db } from '../db.js'

/** A limit: at most `limit` units of the counter `key`, which lives until `expiresAt`. */
export interface Slot {
  key: string
  limit: number
  expiresAt: Date
}

/**
 * Takes one unit of each counter, creating it when it does not exist yet, in one statement: an
 * upsert whose update applies only below the limit (atomic on SQLite and PostgreSQL, where a
 * concurrent creation waits instead of failing, so limits hold across instances). Returns the keys
 * that were used up; the caller rolls back its transaction when there are any.
 */
export async function takeSlots(slots: [Slot, Slot], tx: Pick<typeof db, '$queryRaw'> = db): Promise<string[]> {
  const [a, b] = slots
  const taken = await tx.$queryRaw<{ key: string }[]>`INSERT INTO "UsageCounter" ("key", "count", "expiresAt")
    VALUES (${a.key}, 1, ${a.expiresAt}), (${b.key}, 1, ${b.expiresAt})
    ON CONFLICT ("key") DO UPDATE SET "count" = "UsageCounter"."count" + 1
    WHERE ("UsageCounter"."key" = ${a.key} AND "UsageCounter"."count" < ${a.limit})
      OR ("UsageCounter"."key" = ${b.key} AND "UsageCounter"."count" < ${b.limit})
    RETURNING "key"`
  const keys = new Set(taken.map((t) => t.key))
  return slots.filter((s) => !keys.has(s.key)).map((s) => s.key)
}

/** How many units of a counter are used (0 when it does not exist). */
export async function usedSlots(key: string): Promise<number> {
  return (await db.usageCounter.findUnique({ where: { key } }))?.count ?? 0
}

/** Deletes expired counters (rate windows long past). */
export async function pruneCounters(now = new Date()): Promise<number> {
  return (await db.usageCounter.deleteMany({ where: { expiresAt: { lt: now } } })).count
}
