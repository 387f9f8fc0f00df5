import { z } from 'zod'
import type { SmsDelivery } from '../generated/prisma/client.js'
import { SmsDeliveryStatus, SmsEncoding, SmsProvider } from '../generated/prisma/enums.js'

// Column values as the drivers return them: SQLite gives 0/1 for booleans, bigints for some
// integers and text or numbers for dates; PostgreSQL gives booleans, numbers and Dates.
export const bool = z.union([z.boolean(), z.number(), z.bigint()]).transform((v) => v === true || Number(v) === 1)
export const int = z.union([z.number(), z.bigint()]).transform(Number)
export const date = z.union([z.date(), z.string(), z.number()]).transform((v) => new Date(v))
const text = z.string()
const maybe = z.string().nullable()

const PROVIDERS = Object.values(SmsProvider)

/** The stored form of a provider list (SQLite has no scalar lists): comma-separated, in a stable order. */
export const providerList = {
  parse: (stored: string): SmsProvider[] => PROVIDERS.filter((p) => stored.split(',').includes(p)),
  format: (list: readonly SmsProvider[]): string => PROVIDERS.filter((p) => list.includes(p)).join(','),
}

/** An SmsDelivery row read in SQL, typed as Prisma's model. */
export const deliveryRow: z.ZodType<SmsDelivery, unknown> = z.object({
  id: text,
  userId: text,
  smsActionId: text,
  campaignId: text,
  callId: text,
  to: text,
  requestedTo: maybe,
  fromNumber: maybe,
  body: text,
  bodyLength: int.nullable(),
  provider: z.enum(SmsProvider),
  status: z.enum(SmsDeliveryStatus),
  providerMessageId: maybe,
  segments: int,
  encoding: z.enum(SmsEncoding),
  errorCode: maybe,
  errorMessage: maybe,
  sandbox: bool,
  idempotencyKey: maybe,
  requestHash: maybe,
  attempts: int,
  deliveredAt: date.nullable(),
  tenthsToDelivered: int.nullable(),
  traceParent: maybe,
  createdAt: date,
  updatedAt: date,
})
