import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Logger } from '../../logger.js'
import type { CountersStore } from '../../stores/counters.js'
import type { DeliveriesStore, SmsDelivery } from '../../stores/deliveries.js'
import type { Providers } from '../providers/index.js'
import { describeDeliveryError } from '../providers/twilio/callback.js'
import { outgoingOf, ProviderFailure } from '../providers/types.js'
import type { DeliveryStatusWriter } from './status.js'

const MAX_AGE_MS = 3 * 86_400_000

/**
 * Brings deliveries stuck in a non-final status up to date from the provider: Twilio sends no
 * callback for the first status, and callbacks can be lost. Goes through the same forward-only path.
 */
export class Reconciler {
  private timer?: NodeJS.Timeout
  private running: Promise<unknown> = Promise.resolve()
  /** The last delivery checked: the next batch goes on past it, so rows that stay as they are do not hold the front. */
  private checkedUpTo?: SmsDelivery

  constructor(
    private readonly deps: {
      deliveries: DeliveriesStore
      counters: CountersStore
      status: DeliveryStatusWriter
      providers: Providers
      clock: Clock
      logger: Logger
      reconcile: Config['reconcile']
    },
  ) {}

  /**
   * Checks up to `limit` deliveries unchanged for `olderThanMs`, going on from the last batch (from
   * the oldest again once a batch comes back short); returns how many moved.
   */
  async once(olderThanMs = this.deps.reconcile.afterMs, limit = 100): Promise<number> {
    const { deliveries, providers, status, logger } = this.deps
    const now = this.deps.clock.now().getTime()
    const stuck = await deliveries.awaitingProvider(new Date(now - olderThanMs), new Date(now - MAX_AGE_MS), limit, this.checkedUpTo)
    this.checkedUpTo = stuck.length < limit ? undefined : stuck.at(-1)
    let moved = 0
    for (const d of stuck) {
      try {
        const fetched = await providers.transportFor(d.provider).fetchStatus(outgoingOf(d), d.providerMessageId as string)
        if (!fetched) continue
        const change = fetched.errorCode ? { errorCode: fetched.errorCode, errorMessage: describeDeliveryError(fetched.errorCode) } : {}
        if (await status.move(d.id, fetched.status, d.sandbox ? 'SANDBOX' : 'RECONCILER', change)) moved++
      } catch (err) {
        const failure = err instanceof ProviderFailure ? { code: err.code, message: err.message } : { message: (err as Error).message }
        logger.warn({ deliveryId: d.id, ...failure }, 'reconcile: could not fetch the message status')
      }
    }
    await this.deps.counters.prune(new Date(now))
    if (moved) logger.info({ checked: stuck.length, moved }, 'reconciled deliveries')
    return moved
  }

  /** Runs once every RECONCILE_INTERVAL_MS (0: never). */
  start(): void {
    const every = this.deps.reconcile.intervalMs
    if (!every) return
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.once()).catch((err) => this.deps.logger.error({ err }, 'reconcile failed'))
    }, every)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}
