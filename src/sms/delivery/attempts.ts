import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Logger } from '../../logger.js'
import type { DeliveriesStore, SmsDelivery } from '../../stores/deliveries.js'
import type { OptOutsStore } from '../../stores/optOuts.js'
import type { Providers } from '../providers/index.js'
import { type OutgoingSms, outgoingOf, ProviderFailure, type TwilioCredentials } from '../providers/types.js'
import { senderOf } from '../sender.js'
import type { DeliveryStatusWriter } from './status.js'

/** What the request that stored a delivery already holds, so its first attempt reads nothing again. */
export interface FirstAttempt {
  delivery: SmsDelivery
  twilio?: TwilioCredentials
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sendable = (d: SmsDelivery | undefined): d is SmsDelivery => d?.status === 'PENDING' && !d.providerMessageId

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2·base, … */
export function backoffMs(attempt: number, base: number): number {
  return Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5))
}

/**
 * Attempts to hand a stored delivery to its provider, shared by every dispatcher: each attempt is
 * claimed in the database before the provider is called (so a crash leaves a trace), transient
 * failures are retried with backoff, and the outcome goes through the status writer.
 */
export class SendAttempts {
  constructor(
    private readonly deps: {
      deliveries: DeliveriesStore
      optOuts: OptOutsStore
      status: DeliveryStatusWriter
      providers: Providers
      clock: Clock
      logger: Logger
      send: Pick<Config['send'], 'maxAttempts' | 'retryBaseMs'>
    },
  ) {}

  /** Sends one delivery; resolves with the row this process last wrote, or undefined when it did no work. */
  async run(deliveryId: string, stopping: () => boolean = () => false, first?: FirstAttempt): Promise<SmsDelivery | undefined> {
    const { deliveries, providers, status, clock, send } = this.deps
    // The row as last seen: the claim below succeeds only if nobody else claimed it since.
    let seen = first && sendable(first.delivery) ? first.delivery : undefined
    for (let attempt = 1; ; attempt++) {
      // On shutdown no new attempt starts: the delivery stays PENDING and the next start resumes it.
      if (stopping()) return undefined
      seen ??= await deliveries.byId(deliveryId)
      if (!sendable(seen) || !(await deliveries.claimAttempt(seen, clock.now()))) return undefined
      const sms = outgoingOf(seen, attempt === 1 ? first?.twilio : undefined)
      seen = { ...seen, attempts: seen.attempts + 1 }
      try {
        const receipt = await providers.transportFor(sms.provider).send(sms)
        return await status.move(deliveryId, receipt.status, 'DISPATCHER', {
          providerMessageId: receipt.providerMessageId,
          sandbox: receipt.sandbox,
        })
      } catch (e) {
        const failure = e instanceof ProviderFailure ? e : new ProviderFailure('transient', 'PROVIDER_UNAVAILABLE', (e as Error).message)
        this.logFailure(deliveryId, attempt, failure)
        await sleep(failure.kind === 'transient' ? backoffMs(attempt, send.retryBaseMs) : 0)
        // No answer: the provider may hold the message already, so ask before sending it again.
        if (failure.ambiguous && (await this.adoptIfSent(deliveryId).catch((err) => this.unasked(deliveryId, err)))) return undefined
        if (failure.kind === 'permanent' || attempt >= send.maxAttempts) return this.fail(sms, failure)
      }
    }
  }

  /**
   * Before resending a delivery whose earlier attempt may have reached the provider, asks it; a
   * message it holds is adopted instead of sent again. True when one was adopted.
   */
  async adoptIfSent(deliveryId: string): Promise<boolean> {
    const d = await this.deps.deliveries.byId(deliveryId)
    if (!sendable(d) || d.attempts === 0) return false
    const existing = await this.deps.providers.transportFor(d.provider).findExisting(outgoingOf(d))
    if (!existing) return false
    this.deps.logger.info({ deliveryId, providerMessageId: existing.providerMessageId }, 'adopted a message sent before a crash')
    await this.deps.status.move(deliveryId, existing.status, 'RECONCILER', {
      providerMessageId: existing.providerMessageId,
      sandbox: existing.sandbox,
    })
    return true
  }

  private async fail(sms: OutgoingSms, failure: ProviderFailure) {
    if (failure.code === 'OPTED_OUT') await this.deps.optOuts.record(sms.userId, senderOf(sms), sms.to, 'TWILIO_21610')
    // A Twilio code says more than ours for a refusal; for an outage ours does (the last 5xx says little).
    const errorCode = failure.kind === 'permanent' ? (failure.providerCode ?? failure.code) : failure.code
    return this.deps.status.move(sms.deliveryId, 'FAILED', 'DISPATCHER', { errorCode, errorMessage: failure.message })
  }

  private unasked(deliveryId: string, err: unknown): false {
    this.deps.logger.warn({ deliveryId, err: (err as Error).message }, 'could not ask the provider about an unanswered send')
    return false
  }

  private logFailure(deliveryId: string, attempt: number, f: ProviderFailure) {
    this.deps.logger.warn(
      { deliveryId, attempt, kind: f.kind, code: f.code, providerCode: f.providerCode, ambiguous: f.ambiguous, reason: f.message },
      'send attempt failed',
    )
  }
}
