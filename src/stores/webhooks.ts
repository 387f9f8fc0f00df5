import { type Db, Prisma, type Sql } from '../db/client.js'
import { enumLiteral } from '../db/dialect.js'
import { int } from '../db/rows.js'
import { SmsDeliveryStatus } from '../generated/prisma/enums.js'
import { createWithinCap } from './caps.js'

/** The stored form of an endpoint's statuses: comma-wrapped, so one LIKE finds a status. */
export const eventTypeList = {
  format: (statuses: readonly SmsDeliveryStatus[]) => `,${[...new Set(statuses)].join(',')},`,
  parse: (stored: string) => stored.split(',').filter(Boolean) as SmsDeliveryStatus[],
}

/**
 * The outbox rows of one status change: a message for each enabled endpoint of the delivery's
 * user that wants this status (and this campaign). Ends in a WHERE clause, so the caller may add
 * a condition. The message id is the same however often the statement runs. The LIKE pattern is
 * written inline: bound as a parameter, SQLite prepares the statement again on every run (its LIKE
 * optimization depends on the pattern), which cost ten times the statement itself.
 */
export function webhookFanOut(e: { eventId: string; deliveryId: string; status: SmsDeliveryStatus; at: Date }): Sql {
  return Prisma.sql`INSERT INTO "WebhookMessage" ("id", "endpointId", "eventId", "deliveryId", "status", "attempts", "nextAttemptAt", "createdAt")
    SELECT CAST(${`msg_${e.eventId}_`} AS TEXT) || w."id", w."id", ${e.eventId}, d."id", 'PENDING', 0, ${e.at}, ${e.at}
    FROM "WebhookEndpoint" w JOIN "SmsDelivery" d ON d."userId" = w."userId"
    WHERE d."id" = ${e.deliveryId} AND w."disabledAt" IS NULL AND w."eventTypes" LIKE ${statusPattern(e.status)}
      AND (w."campaignId" IS NULL OR w."campaignId" = d."campaignId")`
}

const STATUS_PATTERNS = Object.values(SmsDeliveryStatus).map((s) => `%,${s},%`)
const statusPattern = (status: SmsDeliveryStatus) => enumLiteral(`%,${status},%`, STATUS_PATTERNS)

/** A message an instance holds while it posts it, with what the post needs. */
export interface ClaimedMessage {
  id: string
  endpointId: string
  attempts: number
  createdAt: Date
  endpoint: { userId: string; url: string; secret: string; failingSince: Date | null }
  event: { id: string; status: SmsDeliveryStatus; errorCode: string | null; source: string; at: Date }
  delivery: {
    id: string
    callId: string
    campaignId: string
    smsActionId: string
    to: string
    provider: string
    providerMessageId: string | null
    segments: number
    sandbox: boolean
    errorMessage: string | null
    createdAt: Date
  }
}

/** How one attempt ended, and what happens next. */
export type AttemptOutcome = {
  at: Date
  statusCode: number | null
  latencyMs: number
  error: string | null
} & ({ next: 'DELIVERED' } | { next: 'RETRY'; retryAt: Date } | { next: 'FAILED'; disable?: string })

/** The WebhookEndpoint, WebhookMessage and WebhookAttempt tables. */
export function webhooksStore(db: Db) {
  return {
    /** Creates an endpoint while the user has fewer than `limit.cap`. */
    async createEndpoint(
      data: {
        id: string
        userId: string
        url: string
        eventTypes: string
        campaignId: string | null
        description: string | null
        secret: string
      },
      limit: { cap: number; refusal: (cap: number) => Error },
    ) {
      return createWithinCap(
        db,
        data.userId,
        limit,
        (tx) => tx.webhookEndpoint.count({ where: { userId: data.userId } }),
        (tx) => tx.webhookEndpoint.create({ data, select: { id: true } }),
      )
    },

    /** An endpoint of the user's, or undefined. */
    async owned(userId: string, id: string) {
      return (await db.webhookEndpoint.findFirst({ where: { id, userId }, select: { id: true, disabledAt: true } })) ?? undefined
    },

    async update(id: string, data: { url?: string; eventTypes?: string; description?: string | null; secret?: string }) {
      await db.webhookEndpoint.update({ where: { id }, data })
    },

    /** Stops posting to an endpoint: its waiting messages are marked FAILED. */
    async disable(id: string, reason: string, at: Date) {
      await db.$transaction([
        db.webhookEndpoint.update({ where: { id }, data: { disabledAt: at, disabledReason: reason } }),
        db.webhookMessage.updateMany({
          where: { endpointId: id, status: 'PENDING' },
          data: { status: 'FAILED', finishedAt: at, nextAttemptAt: null },
        }),
      ])
    },

    async enable(id: string) {
      await db.webhookEndpoint.update({ where: { id }, data: { disabledAt: null, disabledReason: null, failingSince: null } })
    },

    async remove(id: string) {
      await db.webhookEndpoint.delete({ where: { id } })
    },

    /**
     * Messages due now that no instance holds, soonest first, at most `per.endpoint` of each endpoint
     * and `per.user` of each user: an endpoint or a user with a backlog (endpoints that hang) would
     * otherwise fill every read, and no other's message would be read until it drained.
     */
    async due(now: Date, limit: number, per: { endpoint: number; user: number }) {
      const rows = await db.$queryRaw<{ id: string; endpointId: string; userId: string; attempts: unknown }[]>`
        SELECT "id", "endpointId", "userId", "attempts" FROM (
          SELECT "due"."id", "due"."endpointId", e."userId", "due"."attempts", "due"."nextAttemptAt",
            ROW_NUMBER() OVER (PARTITION BY e."userId" ORDER BY "due"."nextAttemptAt", "due"."id") AS "userPlace"
          FROM (
            SELECT "id", "endpointId", "attempts", "nextAttemptAt",
              ROW_NUMBER() OVER (PARTITION BY "endpointId" ORDER BY "nextAttemptAt", "id") AS "place"
            FROM "WebhookMessage"
            WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
          ) "due" JOIN "WebhookEndpoint" e ON e."id" = "due"."endpointId"
          WHERE "due"."place" <= ${per.endpoint}
        ) "fair" WHERE "fair"."userPlace" <= ${per.user}
        ORDER BY "fair"."nextAttemptAt", "fair"."id" LIMIT ${limit}`
      return rows.map((r) => ({ ...r, attempts: int.parse(r.attempts) }))
    },

    /**
     * Holds a due message until `until` and counts the attempt; undefined when it is not due or
     * another instance holds it (the conditions are checked again on the locked row).
     */
    async claim(id: string, now: Date, until: Date): Promise<ClaimedMessage | undefined> {
      const claimed = await db.$executeRaw`UPDATE "WebhookMessage" SET "lockedUntil" = ${until}, "attempts" = "attempts" + 1
        WHERE "id" = ${id} AND "status" = 'PENDING' AND "nextAttemptAt" <= ${now}
          AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})`
      if (claimed !== 1) return undefined
      const m = await db.webhookMessage.findUnique({
        where: { id },
        select: {
          id: true,
          endpointId: true,
          attempts: true,
          createdAt: true,
          endpoint: { select: { userId: true, url: true, secret: true, failingSince: true } },
          event: { select: { id: true, status: true, errorCode: true, source: true, at: true } },
          delivery: {
            select: {
              id: true,
              callId: true,
              campaignId: true,
              smsActionId: true,
              to: true,
              provider: true,
              providerMessageId: true,
              segments: true,
              sandbox: true,
              errorMessage: true,
              createdAt: true,
            },
          },
        },
      })
      return m ?? undefined
    },

    /**
     * Deletes up to `limit` of the messages that finished (delivered or failed) before `before`,
     * oldest first, with their attempts; answers how many there were.
     */
    async pruneFinished(before: Date, limit: number): Promise<number> {
      const old = await db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "WebhookMessage"
        WHERE "status" IN ('DELIVERED', 'FAILED') AND "finishedAt" < ${before} ORDER BY "finishedAt" LIMIT ${limit}`
      const ids = old.map((m) => m.id)
      if (ids.length) {
        await db.$transaction([
          db.webhookAttempt.deleteMany({ where: { messageId: { in: ids } } }),
          db.webhookMessage.deleteMany({ where: { id: { in: ids } } }),
        ])
      }
      return ids.length
    },

    /** Records an attempt and moves the message (and its endpoint's failure streak) on. */
    async finish(m: Pick<ClaimedMessage, 'id' | 'endpointId' | 'endpoint'>, o: AttemptOutcome) {
      const message =
        o.next === 'RETRY'
          ? { nextAttemptAt: o.retryAt, lockedUntil: null }
          : { status: o.next, finishedAt: o.at, nextAttemptAt: null, lockedUntil: null }
      await db.$transaction([
        db.webhookAttempt.create({
          data: { messageId: m.id, at: o.at, statusCode: o.statusCode, latencyMs: o.latencyMs, error: o.error },
        }),
        db.webhookMessage.update({ where: { id: m.id }, data: message }),
        o.next === 'DELIVERED'
          ? db.webhookEndpoint.updateMany({ where: { id: m.endpointId, failingSince: { not: null } }, data: { failingSince: null } })
          : db.webhookEndpoint.updateMany({ where: { id: m.endpointId, failingSince: null }, data: { failingSince: o.at } }),
      ])
      if (o.next === 'FAILED' && o.disable) await this.disable(m.endpointId, o.disable, o.at)
    },

    /** A page of sealed signing secrets, by endpoint id (past `after`), for resealing under a new key. */
    async sealedSecrets(after: string | undefined, limit: number): Promise<{ owner: string; sealed: string }[]> {
      const rows = await db.webhookEndpoint.findMany({
        where: after ? { id: { gt: after } } : {},
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, secret: true },
      })
      return rows.map((r) => ({ owner: r.id, sealed: r.secret }))
    },

    /** Replaces a sealed secret unless it changed since it was read (true when replaced). */
    async resealSecret(id: string, was: string, sealed: string): Promise<boolean> {
      const { count } = await db.webhookEndpoint.updateMany({ where: { id, secret: was }, data: { secret: sealed } })
      return count === 1
    },
  }
}

export type WebhooksStore = ReturnType<typeof webhooksStore>
