import { db, TX_OPTIONS } from '../db.js'
import type { SmsDeliveryStatus } from '../generated/prisma/enums.js'
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

/**
 * Moves a delivery forward to `next`, records the event and publishes it. Late or duplicate
 * changes (not strictly forward) change nothing and record nothing. Returns whether it moved.
 */
export async function applyStatus(
  deliveryId: string,
  next: SmsDeliveryStatus,
  source: EventSource,
  change: StatusChange = {},
): Promise<boolean> {
  const result = await db.$transaction(async (tx) => {
    const [delivery] = await tx.smsDelivery.updateManyAndReturn({
      where: { id: deliveryId, status: { in: earlierThan(next) } },
      data: {
        status: next,
        ...(change.errorCode !== undefined ? { errorCode: change.errorCode, errorMessage: change.errorMessage ?? null } : {}),
        ...(change.providerMessageId ? { providerMessageId: change.providerMessageId } : {}),
        ...(change.sandbox !== undefined ? { sandbox: change.sandbox } : {}),
      },
    })
    if (!delivery) return undefined
    const event = await tx.smsDeliveryEvent.create({ data: { deliveryId, status: next, errorCode: change.errorCode ?? null, source } })
    return { delivery, event }
  }, TX_OPTIONS)
  if (!result) return false
  logger.debug({ deliveryId, status: next, source }, 'delivery status changed')
  pubsub.publish('delivery:updated', result)
  return true
}
