import type { Clock } from '../../clock.js'
import type { Executor } from '../../db/client.js'
import type { SmsDeliveryStatus } from '../../generated/prisma/enums.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import type { PubSub } from '../../realtime/pubsub.js'
import type { DeliveriesStore, EventSource, NewDelivery, SmsDelivery, StatusChange, Written } from '../../stores/deliveries.js'
import type { WebhookDispatch } from '../../webhooks/dispatch.js'

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
const FINAL = 4

/** Whether `next` is a step forward from `from` (a status only moves forward; final ones do not move). */
export function isAfter(next: SmsDeliveryStatus, from: SmsDeliveryStatus): boolean {
  return RANK[next] > RANK[from]
}

/** The statuses a delivery may move to `next` from (strictly earlier ones): status only moves forward. */
export function earlierThan(next: SmsDeliveryStatus): SmsDeliveryStatus[] {
  return ALL.filter((s) => RANK[s] < RANK[next])
}

/**
 * The one writer of delivery statuses: every status a delivery takes, from its creation on, is
 * written here, recorded as an event (with its webhook messages) and published to the user's
 * subscribers.
 */
export class DeliveryStatusWriter {
  constructor(
    private readonly deps: {
      deliveries: DeliveriesStore
      pubsub: PubSub
      webhooks: Pick<WebhookDispatch, 'poke'>
      metrics: Metrics
      clock: Clock
      logger: Logger
    },
  ) {}

  /** Stores a new delivery (PENDING or REJECTED) with its first event; `guard` runs in its transaction. */
  async create(d: NewDelivery, guard?: (tx: Executor) => Promise<void>, at = this.deps.clock.now()): Promise<SmsDelivery> {
    return this.published(await this.deps.deliveries.create(d, at, guard)).delivery
  }

  /**
   * Moves a delivery forward to `next` (from `from` only, when given). Late or duplicate changes
   * (not strictly forward) change and record nothing. Returns the row written, or undefined when
   * it did not move.
   */
  async move(
    deliveryId: string,
    next: SmsDeliveryStatus,
    source: EventSource,
    change: StatusChange = {},
    from: SmsDeliveryStatus[] = [],
  ): Promise<SmsDelivery | undefined> {
    const forward = earlierThan(next).filter((s) => from.length === 0 || from.includes(s))
    const written = await this.deps.deliveries.moveStatus(deliveryId, { from: forward, next, source, at: this.deps.clock.now() }, change)
    if (!written) {
      this.deps.logger.debug({ deliveryId, status: next, source }, 'delivery status unchanged: not a step forward')
      return undefined
    }
    this.deps.logger.debug({ deliveryId, status: next, source }, 'delivery status changed')
    return this.published(written).delivery
  }

  private published(written: Written): Written {
    const { delivery } = written
    this.deps.pubsub.publish('delivery:updated', delivery.userId, written)
    if (written.webhooks) this.deps.webhooks.poke()
    if (RANK[delivery.status] === FINAL) this.deps.metrics.texts.inc({ provider: delivery.provider, status: delivery.status })
    return written
  }
}
