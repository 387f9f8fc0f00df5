import type { Clock } from '../../clock.js'
import type { Logger } from '../../logger.js'
import type { DeliveriesStore, SmsDelivery } from '../../stores/deliveries.js'
import type { TwilioCredentials } from '../providers/types.js'
import type { FirstAttempt, SendAttempts } from './attempts.js'
import { type Dispatcher, within } from './dispatcher.js'

/** The dispatcher of a single instance: one promise per delivery in this process. */
export class InProcessDispatcher implements Dispatcher {
  private inflight = new Map<string, Promise<SmsDelivery | undefined>>()
  private stopping = false

  constructor(
    private readonly attempts: SendAttempts,
    private readonly deliveries: DeliveriesStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async dispatch(delivery: SmsDelivery, opts: { twilio?: TwilioCredentials; waitMs: number }): Promise<SmsDelivery> {
    const written = await within(this.enqueue(delivery.id, { delivery, twilio: opts.twilio }), opts.waitMs)
    return written ?? (await this.deliveries.byId(delivery.id)) ?? delivery
  }

  async start(): Promise<number> {
    const stuck = await this.deliveries.unsentIds(this.clock.now(), 10_000)
    for (const id of stuck) {
      const adopted = await this.attempts.adoptIfSent(id).catch((err) => {
        this.logger.warn({ err, deliveryId: id }, 'could not ask the provider about an interrupted send; not resending yet')
        return undefined
      })
      if (adopted === false) void this.enqueue(id)
    }
    if (stuck.length) this.logger.info({ count: stuck.length }, 'resumed pending deliveries')
    return stuck.length
  }

  async stop(): Promise<void> {
    this.stopping = true
    await Promise.allSettled([...this.inflight.values()])
  }

  private enqueue(deliveryId: string, first?: FirstAttempt): Promise<SmsDelivery | undefined> {
    const running = this.inflight.get(deliveryId)
    if (running) return running
    if (this.stopping) return Promise.resolve(undefined)
    const run = this.attempts
      .run(deliveryId, () => this.stopping, first)
      .catch((err) => {
        this.logger.error({ err, deliveryId }, 'dispatch failed')
        return undefined
      })
      .finally(() => this.inflight.delete(deliveryId))
    this.inflight.set(deliveryId, run)
    return run
  }
}
