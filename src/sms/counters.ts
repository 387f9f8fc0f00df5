import { db } from '../db.js'

/** A limit: at most `limit` units of the counter `key`, which lives until `expiresAt`. */
export interface Slot {
  key: string
  limit: number
  expiresAt: Date
}

/**
 * Creates the counters at 0 unless they exist, in one statement. Outside any transaction, so a
 * concurrent creation never aborts one; ON CONFLICT DO NOTHING reads the same on SQLite and PostgreSQL.
 */
export async function ensureCounters(slots: [Slot, Slot]): Promise<void> {
  const [a, b] = slots
  await db.$executeRaw`INSERT INTO "UsageCounter" ("key", "count", "expiresAt")
    VALUES (${a.key}, 0, ${a.expiresAt}), (${b.key}, 0, ${b.expiresAt}) ON CONFLICT ("key") DO NOTHING`
}

/**
 * Takes one unit of each counter made by ensureCounters, in one conditional UPDATE (atomic on
 * SQLite and PostgreSQL, so limits hold across instances). Returns the keys that were used up;
 * the caller rolls back its transaction when there are any, which returns the units taken.
 */
export async function takeSlots(slots: [Slot, Slot], tx: Pick<typeof db, '$queryRaw'> = db): Promise<string[]> {
  const [a, b] = slots
  const taken = await tx.$queryRaw<{ key: string }[]>`UPDATE "UsageCounter" SET "count" = "count" + 1
    WHERE ("key" = ${a.key} AND "count" < ${a.limit}) OR ("key" = ${b.key} AND "count" < ${b.limit}) RETURNING "key"`
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
