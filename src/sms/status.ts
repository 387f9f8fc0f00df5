import { db, dbKind } from '../db.js'
import { Prisma, type SmsDelivery, type SmsDeliveryEvent } from '../generated/prisma/client.js'
import type { SmsDeliveryStatus } from '../generated/prisma/enums.js'
import { cuid } from '../ids.js'
import { logger } from '../logger.js'
import { pubsub } from '../pubsub.js'

export type EventSource = 'API' | 'DISPATCHER' | 'PROVIDER_CALLBACK' | 'SANDBOX' | 'RECONCILER'

const RANK: Record<SmsDeliveryStatus, number> = {
  PENDING: 0,
  QUEUED: 1,
  SENDING: 2,
  SENT: 3,
  DELIVERED: 4,
  UNDELIVERED: 4,
  FAILED: 4,
  REJECTED: 4,
}
const ALL = Object.keys(RANK) as SmsDeliveryStatus[]

/** The statuses a delivery may move to `next` from (strictly earlier ones). */
export function earlierThan(next: SmsDeliveryStatus): SmsDeliveryStatus[] {
  return ALL.filter((s) => RANK[s] < RANK[next])
}

export interface StatusChange {
  errorCode?: string | null
  errorMessage?: string | null
  providerMessageId?: string
  sandbox?: boolean
}

// Enum values are written as literals (PostgreSQL enum columns take no text parameter); only known names get here.
const literal = <T extends string>(value: T, allowed: readonly T[]) => {
  if (!allowed.includes(value)) throw new Error(`unexpected value ${value}`)
  return Prisma.raw(`'${value}'`)
}
const statusLiteral = (s: SmsDeliveryStatus) => literal(s, ALL)
type Tx = Pick<typeof db, '$queryRaw' | '$executeRaw'>

/** A delivery by id (SQL: it is read on every send's path). */
export async function loadDelivery(id: string): Promise<SmsDelivery | undefined> {
  const [row] = await db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "SmsDelivery" WHERE "id" = ${id}`
  return row && deliveryOf(row)
}

/** Records an event of a delivery (in the caller's transaction). */
export async function insertEvent(tx: Tx, event: Omit<SmsDeliveryEvent, 'id' | 'at'>, at = new Date()): Promise<SmsDeliveryEvent> {
  const row = { id: cuid(), ...event, at }
  await tx.$executeRaw`INSERT INTO "SmsDeliveryEvent" ("id", "deliveryId", "status", "errorCode", "source", "at")
    VALUES (${row.id}, ${row.deliveryId}, ${statusLiteral(row.status)}, ${row.errorCode}, ${row.source}, ${at})`
  return row
}

export type NewDelivery = Omit<SmsDelivery, 'id' | 'sandbox' | 'attempts' | 'providerMessageId' | 'createdAt' | 'updatedAt'>

/** Inserts a delivery (in the caller's transaction) and returns the row. */
export async function insertDelivery(tx: Tx, d: NewDelivery): Promise<SmsDelivery> {
  const now = new Date()
  const [row] = await tx.$queryRaw<Record<string, unknown>[]>`INSERT INTO "SmsDelivery" ("id", "userId", "smsActionId",
      "campaignId", "callId", "to", "requestedTo", "fromNumber", "body", "provider", "status", "segments", "encoding",
      "errorCode", "errorMessage", "idempotencyKey", "requestHash", "createdAt", "updatedAt")
    VALUES (${cuid()}, ${d.userId}, ${d.smsActionId}, ${d.campaignId}, ${d.callId}, ${d.to}, ${d.requestedTo},
      ${d.fromNumber}, ${d.body}, ${literal(d.provider, ['TWILIO', 'ATLAS'])}, ${statusLiteral(d.status)}, ${d.segments},
      ${literal(d.encoding, ['GSM7', 'UCS2'])}, ${d.errorCode}, ${d.errorMessage}, ${d.idempotencyKey}, ${d.requestHash},
      ${now}, ${now})
    RETURNING *`
  return deliveryOf(row as Record<string, unknown>)
}

/** A delivery row as SQL returns it, typed as Prisma's model (dates, booleans and integers vary by engine). */
export function deliveryOf(row: Record<string, unknown>): SmsDelivery {
  return {
    ...(row as unknown as SmsDelivery),
    sandbox: row.sandbox === true || row.sandbox === 1 || row.sandbox === 1n,
    segments: Number(row.segments),
    attempts: Number(row.attempts),
    createdAt: new Date(row.createdAt as string | Date),
    updatedAt: new Date(row.updatedAt as string | Date),
  }
}

/**
 * Moves a delivery forward to `next`, records the event and publishes it. Late or duplicate
 * changes (not strictly forward) change nothing and record nothing. Returns the row written, or
 * undefined when it did not move. Written in SQL: every text and every callback comes through
 * here, and a raw statement costs a fraction of Prisma's query path (bench/statements.ts).
 */
export async function applyStatus(
  deliveryId: string,
  next: SmsDeliveryStatus,
  source: EventSource,
  change: StatusChange = {},
): Promise<SmsDelivery | undefined> {
  const at = new Date()
  const sets = [Prisma.sql`"status" = ${statusLiteral(next)}`, Prisma.sql`"updatedAt" = ${at}`]
  if (change.errorCode !== undefined) {
    sets.push(Prisma.sql`"errorCode" = ${change.errorCode}`, Prisma.sql`"errorMessage" = ${change.errorMessage ?? null}`)
  }
  if (change.providerMessageId) sets.push(Prisma.sql`"providerMessageId" = ${change.providerMessageId}`)
  if (change.sandbox !== undefined) sets.push(Prisma.sql`"sandbox" = ${change.sandbox}`)
  const event: SmsDeliveryEvent = { id: cuid(), deliveryId, status: next, errorCode: change.errorCode ?? null, source, at }
  const update = Prisma.sql`UPDATE "SmsDelivery" SET ${Prisma.join(sets, ', ')}
    WHERE "id" = ${deliveryId} AND "status" IN (${Prisma.join(earlierThan(next).map(statusLiteral))}) RETURNING *`
  const logged = Prisma.sql`INSERT INTO "SmsDeliveryEvent" ("id", "deliveryId", "status", "errorCode", "source", "at")
    SELECT ${event.id}, ${deliveryId}, ${statusLiteral(next)}, ${event.errorCode}, ${source}, ${at}`
  // The event is written only if the update moved the row, in the same atomic unit, without an
  // interactive transaction: one statement on PostgreSQL; on SQLite a batch, where changes() is
  // the number of rows the UPDATE just before it moved.
  const [row] =
    dbKind === 'postgres'
      ? await db.$queryRaw<Record<string, unknown>[]>`WITH moved AS (${update}), logged AS (${logged} FROM moved) SELECT * FROM moved`
      : (await db.$transaction([db.$queryRaw<Record<string, unknown>[]>`${update}`, db.$executeRaw`${logged} WHERE changes() = 1`]))[0]
  const written = row && { delivery: deliveryOf(row), event }
  if (!written) return undefined
  logger.debug({ deliveryId, status: next, source }, 'delivery status changed')
  pubsub.publish('delivery:updated', written)
  return written.delivery
}
