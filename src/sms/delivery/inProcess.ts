import { type Clock, within } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Logger } from '../../logger.js'
import type { DeliveriesStore, SmsDelivery } from '../../stores/deliveries.js'
import type { Tracing } from '../../telemetry/tracing.js'
import type { TwilioCredentials } from '../providers/types.js'
import { type FirstAttempt, Held, type RunOutcome, type SendAttempts, STOPPED } from './attempts.js'
import type { Dispatcher } from './dispatcher.js'

/**
 * The dispatcher of a single instance: one promise per delivery in this process. A periodic sweep
 * picks up what a failure left PENDING (an attempt that could not be claimed while the database
 * was down, say); a delivery with an earlier attempt is asked about at the provider before any
 * resend.
 */
export class InProcessDispatcher implements Dispatcher {
  private inflight = new Map<string, Promise<SmsDelivery | undefined>>()
  private stopping = false
  private sweep?: NodeJS.Timeout
  /** Runs waiting for a hold to end, by delivery: one each, so sweeps meanwhile start no more. */
  private readonly held = new Map<string, NodeJS.Timeout>()

  constructor(
    private readonly deps: {
      attempts: SendAttempts
      deliveries: DeliveriesStore
      clock: Clock
      logger: Logger
      tracing: Tracing
      sweep: Config['sweep']
    },
  ) {}

  async dispatch(delivery: SmsDelivery, opts: { twilio?: TwilioCredentials; waitMs: number }): Promise<SmsDelivery> {
    const written = await within(this.enqueue(delivery.id, { delivery, twilio: opts.twilio }), opts.waitMs)
    return written ?? (await this.deps.deliveries.byId(delivery.id).catch(() => undefined)) ?? delivery
  }

  async start(): Promise<number> {
    const { intervalMs } = this.deps.sweep
    if (intervalMs) {
      this.sweep = setInterval(() => void this.requeue(this.deps.sweep.afterMs).catch(() => undefined), intervalMs)
      this.sweep.unref()
    }
    // At start every unsent delivery is looked at, held ones too: one a dead process held is asked
    // about at once (and adopted when the provider took it), rather than after its hold.
    const resumed = await this.requeue(0, false)
    if (resumed) this.deps.logger.info({ count: resumed }, 'resumed pending deliveries')
    return resumed
  }

  async depth(): Promise<number> {
    return this.inflight.size
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.sweep)
    for (const timer of this.held.values()) clearTimeout(timer)
    await Promise.allSettled([...this.inflight.values()])
  }

  /** Dispatches the PENDING deliveries older than `ageMs` that this process is not already sending. */
  private async requeue(ageMs: number, skipHeld = true): Promise<number> {
    const now = this.deps.clock.now()
    const before = new Date(now.getTime() - ageMs)
    const stuck = (await this.deps.deliveries.unsentIds(before, 1000, skipHeld ? now : undefined)).filter(
      (id) => !this.inflight.has(id) && !this.held.has(id),
    )
    for (const id of stuck) void this.enqueue(id)
    return stuck.length
  }

  /** The row a run wrote; a delivery another attempt holds is run again once the hold ends. */
  private settled(deliveryId: string, outcome: RunOutcome): SmsDelivery | undefined {
    if (!(outcome instanceof Held)) return outcome === STOPPED ? undefined : outcome
    if (!this.stopping) {
      clearTimeout(this.held.get(deliveryId))
      const timer = setTimeout(
        () => {
          this.held.delete(deliveryId)
          void this.enqueue(deliveryId)
        },
        Math.max(0, outcome.until.getTime() - this.deps.clock.now().getTime()) + 10,
      )
      timer.unref()
      this.held.set(deliveryId, timer)
    }
    return undefined
  }

  private enqueue(deliveryId: string, first?: FirstAttempt): Promise<SmsDelivery | undefined> {
    const running = this.inflight.get(deliveryId)
    if (running) return running
    if (this.stopping) return Promise.resolve(undefined)
    const attributes = { 'sms.delivery.id': deliveryId }
    const run = this.deps.tracing
      .span('sms.dispatch', { attributes }, () => this.deps.attempts.run(deliveryId, () => this.stopping, first))
      .then((outcome) => this.settled(deliveryId, outcome))
      .catch((err) => {
        this.deps.logger.error({ err, deliveryId }, 'dispatch failed; the sweep will pick it up')
        return undefined
      })
      .finally(() => this.inflight.delete(deliveryId))
    this.inflight.set(deliveryId, run)
    return run
  }
}
