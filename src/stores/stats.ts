import { type Db, Prisma } from '../db/client.js'
import { int } from '../db/rows.js'
import type { SmsDeliveryStatus } from '../generated/prisma/enums.js'

/** Whose deliveries a statistic counts: a user's, a campaign's or an action's. */
export type StatsScope = { userId: string } | { campaignId: string } | { smsActionId: string }

/** Deliveries of one status and error code, and, when delivered, how long that took. */
export interface StatsGroup {
  status: SmsDeliveryStatus
  errorCode: string | null
  /** Tenths of a second from creation to delivered (null unless delivered). */
  tenths: number | null
  count: number
  segments: number
}

const column = (scope: StatsScope) =>
  'userId' in scope
    ? Prisma.sql`"userId" = ${scope.userId}`
    : 'campaignId' in scope
      ? Prisma.sql`"campaignId" = ${scope.campaignId}`
      : Prisma.sql`"smsActionId" = ${scope.smsActionId}`

/** The statistics reads: each answered from one of the SmsDelivery *_stats indexes alone. */
export function statsStore(db: Db) {
  return {
    /** The scope's deliveries created in [since, until), grouped by status, error code and time to delivered. */
    async groups(scope: StatsScope, since: Date, until: Date): Promise<StatsGroup[]> {
      const rows = await db.$queryRaw<Record<string, unknown>[]>`
        SELECT "status", "errorCode", "tenthsToDelivered" AS "tenths", COUNT(*) AS "count", SUM("segments") AS "segments"
        FROM "SmsDelivery" WHERE ${column(scope)} AND "createdAt" >= ${since} AND "createdAt" < ${until}
        GROUP BY "status", "errorCode", "tenthsToDelivered"`
      return rows.map((r) => ({
        status: String(r.status) as SmsDeliveryStatus,
        errorCode: (r.errorCode as string | null) ?? null,
        tenths: r.tenths === null ? null : int.parse(r.tenths),
        count: int.parse(r.count),
        segments: int.parse(r.segments ?? 0),
      }))
    },
  }
}

export type StatsStore = ReturnType<typeof statsStore>
