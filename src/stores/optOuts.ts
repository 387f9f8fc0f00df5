import type { Db } from '../db/client.js'
import { createWithinCap, tooMany } from './caps.js'

/** Where an opt-out came from. */
export type OptOutSource = 'TWILIO_21610' | 'INBOUND_STOP' | 'OWNER'

/** The OptOut table: who asked not to be texted by which sender. */
export function optOutsStore(db: Db) {
  return {
    /** Records an opt-out (kept as it was when already recorded); answers its id. */
    async record(userId: string, sender: string, phone: string, source: OptOutSource): Promise<{ id: string }> {
      return db.optOut.upsert({
        where: { userId_sender_phone: { userId, sender, phone } },
        create: { userId, sender, phone, source },
        update: {},
        select: { id: true },
      })
    },

    /**
     * Records an opt-out the owner adds while the user holds fewer than `cap` added by hand; one
     * already recorded is answered as it is, at the cap too.
     */
    async add(userId: string, sender: string, phone: string, cap: number): Promise<{ id: string }> {
      const where = { userId_sender_phone: { userId, sender, phone } }
      const known = await db.optOut.findUnique({ where, select: { id: true } })
      if (known) return known
      return createWithinCap(
        db,
        userId,
        { cap, refusal: tooMany('opt-outs added by hand') },
        (tx) => tx.optOut.count({ where: { userId, source: 'OWNER' } }),
        (tx) => tx.optOut.upsert({ where, create: { userId, sender, phone, source: 'OWNER' }, update: {}, select: { id: true } }),
      )
    },

    /** Removes the user's opt-out of `phone` from `sender` (an opt-in); true when there was one. */
    async remove(userId: string, sender: string, phone: string): Promise<boolean> {
      return (await db.optOut.deleteMany({ where: { userId, sender, phone } })).count > 0
    },

    /** An opt-out of the user's by id. */
    async owned(userId: string, id: string) {
      return db.optOut.findFirst({ where: { id, userId }, select: { id: true, sender: true, phone: true } })
    },

    /** The users who have texted `phone` through the platform's service (ATLAS). */
    async usersWhoTextedThroughAtlas(phone: string): Promise<string[]> {
      const rows = await db.smsDelivery.findMany({
        where: { to: phone, provider: 'ATLAS' },
        distinct: ['userId'],
        select: { userId: true },
      })
      return rows.map((r) => r.userId)
    },
  }
}

export type OptOutsStore = ReturnType<typeof optOutsStore>
