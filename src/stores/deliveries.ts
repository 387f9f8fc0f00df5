import { type Db, type Dialect, type Executor, Prisma, type Row } from '../db/client.js'
import { enumLiteral } from '../db/dialect.js'
import { cuid } from '../db/ids.js'
import { modelRow } from '../db/rows.js'
import type { SmsDelivery, SmsDeliveryEvent } from '../generated/prisma/client.js'
import { SmsDeliveryStatus, SmsEncoding, SmsProvider } from '../generated/prisma/enums.js'
import { webhookFanOut } from './webhooks.js'

export type { SmsDelivery, SmsDeliveryEvent }
export type EventSource = 'API' | 'DISPATCHER' | 'PROVIDER_CALLBACK' | 'SANDBOX' | 'RECONCILER'

/** What a status callback needs to know of its delivery. */
export type CallbackTarget = Pick<SmsDelivery, 'id' | 'userId' | 'provider' | 'providerMessageId' | 'traceParent'>

/** A delivery as the send path creates it. */
export type NewDelivery = Omit<
  SmsDelivery,
  'id' | 'attempts' | 'claimedUntil' | 'providerMessageId' | 'deliveredAt' | 'tenthsToDelivered' | 'traceParent' | 'createdAt' | 'updatedAt'
> & { traceParent?: string }

/** A delivery, the event that recorded its latest change, and the webhook messages it queued. */
export interface Written {
  delivery: SmsDelivery
  event: SmsDeliveryEvent
  webhooks: number
}

/** What a status change may set besides the status. */
export interface StatusChange {
  errorCode?: string | null
  errorMessage?: string | null
  providerMessageId?: string
  sandbox?: boolean
  /** Moves only while the delivery holds no message or this one: another message's status is not its own. */
  forMessage?: string
}

const status = (s: SmsDeliveryStatus) => enumLiteral(s, Object.values(SmsDeliveryStatus))
const deliveryRow = modelRow('SmsDelivery')
const parse = (row: Row) => deliveryRow.all(row) as SmsDelivery
const eventRow = modelRow('SmsDeliveryEvent')
const byIdSql = (id: string) => Prisma.sql`SELECT * FROM "SmsDelivery" WHERE "id" = ${id}`

/** Inserts a delivery and its first event. */
async function insert(dialect: Dialect, tx: Executor, d: NewDelivery, at: Date): Promise<Written> {
  const id = cuid()
  const write = Prisma.sql`INSERT INTO "SmsDelivery" ("id", "userId", "smsActionId",
      "campaignId", "callId", "to", "requestedTo", "fromNumber", "body", "bodyLength", "provider", "sandbox", "status", "segments", "encoding",
      "errorCode", "errorMessage", "idempotencyKey", "requestHash", "traceParent", "createdAt", "updatedAt")
    VALUES (${id}, ${d.userId}, ${d.smsActionId}, ${d.campaignId}, ${d.callId}, ${d.to}, ${d.requestedTo},
      ${d.fromNumber}, ${d.body}, ${d.bodyLength}, ${enumLiteral(d.provider, Object.values(SmsProvider))}, ${d.sandbox}, ${status(d.status)}, ${d.segments},
      ${enumLiteral(d.encoding, Object.values(SmsEncoding))}, ${d.errorCode}, ${d.errorMessage}, ${d.idempotencyKey},
      ${d.requestHash}, ${d.traceParent ?? null}, ${at}, ${at})`
  const [row] = await dialect.written(tx, write, byIdSql(id))
  const delivery = parse(row as Row)
  const event = { id: cuid(), deliveryId: delivery.id, status: d.status, errorCode: d.errorCode, source: 'API', at }
  await tx.$executeRaw`INSERT INTO "SmsDeliveryEvent" ("id", "deliveryId", "status", "errorCode", "source", "at")
    VALUES (${event.id}, ${event.deliveryId}, ${status(event.status)}, ${event.errorCode}, ${event.source}, ${at})`
  const webhooks = await tx.$executeRaw`${webhookFanOut({ eventId: event.id, deliveryId: delivery.id, status: d.status, at })}`
  return { delivery, event, webhooks }
}

/**
 * The SmsDelivery and SmsDeliveryEvent tables: every statement that writes or reads them on the
 * send, dispatch and callback paths, each named. Written in SQL: every text and every callback
 * comes through here, and a raw statement costs a fraction of Prisma's query path.
 */
export function deliveriesStore(db: Db, dialect: Dialect) {
  return {
    /**
     * Inserts a delivery and its first event in one transaction, after `guard` (which runs in the
     * same transaction and throws to roll it back, e.g. when a limit is reached).
     */
    async create(d: NewDelivery, at: Date, guard?: (tx: Executor) => Promise<void>): Promise<Written> {
      return dialect.transaction(async (tx) => {
        await guard?.(tx)
        return insert(dialect, tx, d, at)
      })
    },

    async byId(id: string): Promise<SmsDelivery | undefined> {
      const [row] = await dialect.read(byIdSql(id))
      return row && parse(row)
    },

    /** The delivery an idempotency key already made, with the hash of the request that made it. */
    async byIdempotencyKey(userId: string, callId: string, key: string): Promise<{ id: string; requestHash: string | null } | undefined> {
      const [row] = await dialect.read(Prisma.sql`SELECT "id", "requestHash" FROM "SmsDelivery"
        WHERE "userId" = ${userId} AND "callId" = ${callId} AND "idempotencyKey" = ${key}`)
      return row && { id: String(row.id), requestHash: row.requestHash === null ? null : String(row.requestHash) }
    },

    /** Frees the idempotency key of a delivery that FAILED, for the same request to be sent anew. */
    async releaseIdempotencyKey(id: string): Promise<void> {
      await dialect.write(Prisma.sql`UPDATE "SmsDelivery" SET "idempotencyKey" = NULL WHERE "id" = ${id} AND "status" = 'FAILED'`)
    },

    /** The delivery a provider message id belongs to (status callbacks). */
    async byProviderMessageId(sid: string): Promise<CallbackTarget | undefined> {
      const [row] = await dialect.read(
        Prisma.sql`SELECT "id", "userId", "provider", "providerMessageId", "traceParent" FROM "SmsDelivery" WHERE "providerMessageId" = ${sid}`,
      )
      return row as CallbackTarget | undefined
    },

    /**
     * Records a second provider message for a delivery that already has one (a text sent twice);
     * true the first time this message is recorded.
     */
    async recordDuplicate(deliveryId: string, sid: string, at: Date): Promise<boolean> {
      const inserted = await db.$executeRaw`INSERT INTO "DuplicateSend" ("providerMessageId", "deliveryId", "detectedAt")
        VALUES (${sid}, ${deliveryId}, ${at}) ON CONFLICT ("providerMessageId") DO NOTHING`
      return inserted === 1
    },

    /** Whether a provider message is recorded for a delivery, as its own or as a duplicate send. */
    async holdsMessage(providerMessageId: string): Promise<boolean> {
      const rows = await dialect.read(Prisma.sql`SELECT 1 AS "one" FROM "SmsDelivery" WHERE "providerMessageId" = ${providerMessageId}
        UNION ALL SELECT 1 AS "one" FROM "DuplicateSend" WHERE "providerMessageId" = ${providerMessageId}`)
      return rows.length > 0
    },

    /** Whether the user owns the delivery. */
    async isOwned(userId: string, id: string): Promise<boolean> {
      const rows = await dialect.read(Prisma.sql`SELECT 1 AS "one" FROM "SmsDelivery" WHERE "id" = ${id} AND "userId" = ${userId}`)
      return rows.length > 0
    },

    /**
     * Counts an attempt and holds the delivery until `until`, unless another dispatcher counted one
     * since `d` was read, still holds it (`held`: the caller itself holds the attempt counted last),
     * or it is no longer sendable. True when this caller holds the attempt.
     */
    async claimAttempt(d: Pick<SmsDelivery, 'id' | 'attempts'>, at: Date, until: Date, held = false): Promise<boolean> {
      const free = held ? Prisma.empty : Prisma.sql`AND ("claimedUntil" IS NULL OR "claimedUntil" < ${at})`
      const claimed = await dialect.write(Prisma.sql`UPDATE "SmsDelivery"
        SET "attempts" = "attempts" + 1, "claimedUntil" = ${until}, "updatedAt" = ${at}
        WHERE "id" = ${d.id} AND "status" = 'PENDING' AND "providerMessageId" IS NULL AND "attempts" = ${d.attempts} ${free}`)
      return claimed === 1
    },

    /**
     * Holds the delivery for the attempt counted as `attempts` until `until`, or lets go of it (null:
     * another dispatcher may claim the next), while that attempt is still the last counted.
     */
    async holdAttempt(id: string, attempts: number, until: Date | null): Promise<void> {
      await dialect.write(Prisma.sql`UPDATE "SmsDelivery" SET "claimedUntil" = ${until} WHERE "id" = ${id} AND "attempts" = ${attempts}`)
    },

    /**
     * Moves a delivery to `next` when its status is one of `from`, and records the event, as one
     * atomic unit. Undefined when the row did not move (nothing is recorded then).
     */
    async moveStatus(
      id: string,
      move: { from: SmsDeliveryStatus[]; next: SmsDeliveryStatus; source: EventSource; at: Date },
      change: StatusChange = {},
    ): Promise<Written | undefined> {
      const { next, at } = move
      const sets = [Prisma.sql`"status" = ${status(next)}`, Prisma.sql`"updatedAt" = ${at}`]
      if (change.errorCode !== undefined) {
        sets.push(Prisma.sql`"errorCode" = ${change.errorCode}`, Prisma.sql`"errorMessage" = ${change.errorMessage ?? null}`)
      }
      // A message id recorded first stays: a later one for the same delivery is a duplicate send.
      if (change.providerMessageId) sets.push(Prisma.sql`"providerMessageId" = COALESCE("providerMessageId", ${change.providerMessageId})`)
      if (change.sandbox !== undefined) sets.push(Prisma.sql`"sandbox" = ${change.sandbox}`)
      if (next === 'DELIVERED') {
        const tenths = dialect.tenthsBetween(Prisma.sql`"createdAt"`, Prisma.sql`${at}`)
        sets.push(Prisma.sql`"deliveredAt" = ${at}`, Prisma.sql`"tenthsToDelivered" = ${tenths}`)
      }
      const event: SmsDeliveryEvent = {
        id: cuid(),
        deliveryId: id,
        status: next,
        errorCode: change.errorCode ?? null,
        source: move.source,
        at,
      }
      const ownMessage = change.forMessage
        ? Prisma.sql` AND ("providerMessageId" IS NULL OR "providerMessageId" = ${change.forMessage})`
        : Prisma.empty
      const update = Prisma.sql`UPDATE "SmsDelivery" SET ${Prisma.join(sets, ', ')}
        WHERE "id" = ${id} AND "status" IN (${Prisma.join(move.from.map(status))})${ownMessage}`
      const insert = Prisma.sql`INSERT INTO "SmsDeliveryEvent" ("id", "deliveryId", "status", "errorCode", "source", "at")
        SELECT ${event.id}, ${id}, ${status(next)}, ${event.errorCode}, ${event.source}, ${at}`
      const fanOut = webhookFanOut({ eventId: event.id, deliveryId: id, status: next, at })
      const { rows, fannedOut } = await dialect.updateThenInsert({ update, reread: byIdSql(id), insert, fanOut })
      const [row] = rows
      return row && { delivery: parse(row), event, webhooks: fannedOut }
    },

    /** A call's latest deliveries (of one campaign, when given), newest first. */
    async forCall(userId: string, callId: string, campaignId: string | undefined, limit: number): Promise<SmsDelivery[]> {
      const ofCampaign = campaignId ? Prisma.sql`AND "campaignId" = ${campaignId}` : Prisma.empty
      const rows = await dialect.read(Prisma.sql`SELECT * FROM "SmsDelivery"
        WHERE "userId" = ${userId} AND "callId" = ${callId} ${ofCampaign}
        ORDER BY "createdAt" DESC, "id" DESC LIMIT ${limit}`)
      return rows.map(parse)
    },

    /**
     * The newest deliveries of a user matching the filters, each as it now is with the event that
     * recorded its status (there is one event per status), oldest first.
     */
    async current(userId: string, f: { deliveryId?: string | null; campaignId?: string | null; callId?: string | null }, limit: number) {
      const also = [
        f.deliveryId && Prisma.sql`AND "id" = ${f.deliveryId}`,
        f.campaignId && Prisma.sql`AND "campaignId" = ${f.campaignId}`,
        f.callId && Prisma.sql`AND "callId" = ${f.callId}`,
      ].filter((c): c is Prisma.Sql => Boolean(c))
      const rows =
        await dialect.read(Prisma.sql`SELECT * FROM "SmsDelivery" WHERE "userId" = ${userId} ${also.length ? Prisma.join(also, ' ') : Prisma.empty}
        ORDER BY "createdAt" DESC, "id" DESC LIMIT ${limit}`)
      if (rows.length === 0) return []
      const deliveries = rows.map(parse).reverse()
      const eventRows = await dialect.read(
        Prisma.sql`SELECT * FROM "SmsDeliveryEvent" WHERE "deliveryId" IN (${Prisma.join(deliveries.map((d) => d.id))})`,
      )
      const events = new Map(eventRows.map((r) => eventRow.all(r) as SmsDeliveryEvent).map((e) => [`${e.deliveryId}:${e.status}`, e]))
      return deliveries.flatMap((delivery) => {
        const event = events.get(`${delivery.id}:${delivery.status}`)
        return event ? [{ delivery, event }] : []
      })
    },

    /**
     * Deliveries stored but never handed to a provider, oldest first; with `freeAt`, none an attempt
     * holds then (in flight, or waiting to be asked about), so those cannot crowd out the rest.
     */
    async unsentIds(createdBefore: Date, limit: number, freeAt?: Date): Promise<string[]> {
      const free = freeAt ? Prisma.sql`AND ("claimedUntil" IS NULL OR "claimedUntil" <= ${freeAt})` : Prisma.empty
      const rows = await db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "SmsDelivery"
        WHERE "status" = 'PENDING' AND "providerMessageId" IS NULL AND "createdAt" <= ${createdBefore} ${free}
        ORDER BY "createdAt" ASC LIMIT ${limit}`
      return rows.map((r) => r.id)
    },

    /**
     * Deliveries at the provider whose status has not moved since `updatedBefore` (created after
     * `createdAfter`), oldest change first; past `after` (the last one of the previous batch) when given.
     */
    async awaitingProvider(
      updatedBefore: Date,
      createdAfter: Date,
      limit: number,
      after?: Pick<SmsDelivery, 'updatedAt' | 'id'>,
    ): Promise<SmsDelivery[]> {
      const past = after
        ? Prisma.sql`AND ("updatedAt" > ${after.updatedAt} OR ("updatedAt" = ${after.updatedAt} AND "id" > ${after.id}))`
        : Prisma.empty
      const rows = await db.$queryRaw<Row[]>`SELECT * FROM "SmsDelivery"
        WHERE "status" IN ('QUEUED', 'SENDING', 'SENT') AND "providerMessageId" IS NOT NULL
          AND "updatedAt" <= ${updatedBefore} AND "createdAt" > ${createdAfter} ${past}
        ORDER BY "updatedAt" ASC, "id" ASC LIMIT ${limit}`
      return rows.map(parse)
    },
  }
}

export type DeliveriesStore = ReturnType<typeof deliveriesStore>
