import { db } from '../db.js'

/**
 * Takes one unit of a limited counter, or returns false when it is used up. The conditional
 * UPDATE is atomic on SQLite and PostgreSQL, so the limit holds across requests and instances.
 */
export async function takeSlot(key: string, limit: number, expiresAt: Date, tx: Pick<typeof db, 'usageCounter'> = db): Promise<boolean> {
  await tx.usageCounter.upsert({ where: { key }, create: { key, count: 0, expiresAt }, update: {} })
  const { count } = await tx.usageCounter.updateMany({ where: { key, count: { lt: limit } }, data: { count: { increment: 1 } } })
  return count === 1
}

/** How many units of a counter are used (0 when it does not exist). */
export async function usedSlots(key: string): Promise<number> {
  return (await db.usageCounter.findUnique({ where: { key } }))?.count ?? 0
}

/** Deletes expired counters (rate windows long past). */
export async function pruneCounters(now = new Date()): Promise<number> {
  return (await db.usageCounter.deleteMany({ where: { expiresAt: { lt: now } } })).count
}
