import type { Db } from '../db/client.js'

/** The OptOut table: who asked not to be texted by which sender. */
export function optOutsStore(db: Db) {
  return {
    /** Records an opt-out (kept as it was when already recorded). */
    async record(userId: string, sender: string, phone: string, source: string): Promise<void> {
      await db.optOut.upsert({
        where: { userId_sender_phone: { userId, sender, phone } },
        create: { userId, sender, phone, source },
        update: {},
      })
    },
  }
}

export type OptOutsStore = ReturnType<typeof optOutsStore>
