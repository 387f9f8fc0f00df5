import { db, isUniqueViolation } from '../db.js'

/** Creates a counter at 0 unless it exists. Outside any transaction: on PostgreSQL a lost race
 * (unique violation) would abort the transaction it ran in. */
export async function ensureCounter(key: string, expiresAt: Date): Promise<void> {
  if (await db.usageCounter.findUnique({ where: { key }, select: { key: true } })) return
  await db.usageCounter.create({ data: { key, count: 0, expiresAt } }).catch((e) => {
    if (!isUniqueViolation(e)) throw e
  })
}

/**
 * Takes one unit of a counter made by ensureCounter, or returns false when it is used up. The
 * conditional UPDATE is atomic on SQLite and PostgreSQL, so the limit holds across instances.
 */
export async function takeSlot(key: string, limit: number, tx: Pick<typeof db, 'usageCounter'> = db): Promise<boolean> {
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
