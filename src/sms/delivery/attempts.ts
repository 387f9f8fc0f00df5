import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import { isTransientDbError } from '../../db/client.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import type { CountersStore } from '../../stores/counters.js'
import type { DeliveriesStore, SmsDelivery } from '../../stores/deliveries.js'
import type { OptOutsStore } from '../../stores/optOuts.js'
import type { Providers } from '../providers/index.js'
import { type OutgoingSms, outgoingOf, ProviderFailure, type ProviderReceipt, type TwilioCredentials } from '../providers/types.js'
import { senderOf } from '../sender.js'
import { takenBy } from '../sending/limits.js'
import type { DeliveryStatusWriter } from './status.js'

/** What the request that stored a delivery already holds, so its first attempt reads nothing again. */
export interface FirstAttempt {
  delivery: SmsDelivery
  twilio?: TwilioCredentials
}

/**
 * The outcome of `run`: the row this process last wrote; undefined when there was nothing (more)
 * to do; stopped; or held by another dispatcher's attempt until a time (run it again then).
 */
export type RunOutcome = SmsDelivery | undefined | typeof STOPPED | Held
/** The process is stopping: the delivery was left PENDING for another dispatcher or the next start. */
export const STOPPED = Symbol('stopped')
/** Another attempt holds the delivery (in flight elsewhere, or left by a process that died) until `until`. */
export class Held {
  constructor(readonly until: Date) {}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** What asking first answers when nothing stands in the way of sending (again). */
const SEND = Symbol('send')
const sendable = (d: SmsDelivery | undefined): d is SmsDelivery => d?.status === 'PENDING' && !d.providerMessageId
const RECORD_RETRY_MAX_MS = 5_000
/** How long a text whose send went unanswered is asked about, while it cannot be, before it fails. */
export const UNCONFIRMED_MAX_MS = 3_600_000

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2·base, … */
export function backoffMs(attempt: number, base: number): number {
  return Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5))
}

/**
 * Attempts to hand a stored delivery to its provider, shared by every dispatcher: each attempt is
 * claimed in the database before the provider is called (so a crash leaves a trace), transient
 * failures are retried with backoff, and the outcome goes through the status writer. What the
 * provider answered and what we managed to record are kept apart: once the provider accepted a
 * text, failing to record it is never a reason to send it again.
 */
export class SendAttempts {
  constructor(
    private readonly deps: {
      deliveries: DeliveriesStore
      counters: CountersStore
      optOuts: OptOutsStore
      status: DeliveryStatusWriter
      providers: Providers
      clock: Clock
      logger: Logger
      metrics: Metrics
      send: Pick<Config['send'], 'maxAttempts' | 'retryBaseMs' | 'claimMs' | 'confirmAfterMs'>
    },
  ) {}

  /** Sends one delivery (asking the provider first when an earlier attempt may have reached it). */
  async run(deliveryId: string, stopping: () => boolean = () => false, first?: FirstAttempt): Promise<RunOutcome> {
    const { deliveries, providers, send } = this.deps
    // The row as last seen: the claim below succeeds only if nobody else claimed it since.
    let seen = first && sendable(first.delivery) ? first.delivery : await deliveries.byId(deliveryId)
    if (!sendable(seen)) return undefined
    if (seen.attempts > 0) {
      const asked = await this.askFirst(seen)
      if (asked !== SEND) return asked
    }
    /** The attempt this run counted last (its hold lets no other dispatcher send meanwhile). */
    let claimed: number | undefined
    // Whether an attempt may have reached the provider unanswered (an earlier run's, or one of these):
    // its lookup can miss a message Twilio has not listed yet, so its units are kept on failure.
    let unanswered = seen.attempts > 0
    for (let attempt = 1; ; attempt++) {
      // On shutdown no new attempt starts: the delivery stays PENDING for the next dispatcher.
      if (stopping()) return STOPPED
      seen ??= await deliveries.byId(deliveryId)
      if (!sendable(seen)) return undefined
      if (!(await this.claim(seen, claimed))) return this.heldBy(deliveryId)
      const sms = outgoingOf(seen, attempt === 1 ? first?.twilio : undefined)
      claimed = seen.attempts + 1
      seen = undefined
      let receipt: ProviderReceipt
      try {
        receipt = await providers.transportFor(sms.provider).send(sms)
      } catch (e) {
        const failure = e instanceof ProviderFailure ? e : new ProviderFailure('transient', 'PROVIDER_UNAVAILABLE', (e as Error).message)
        unanswered ||= failure.ambiguous
        this.logFailure(deliveryId, attempt, failure)
        const wait = failure.kind === 'transient' ? backoffMs(attempt, send.retryBaseMs) : 0
        // Another dispatcher may take the next attempt while this one waits (this one may stop meanwhile);
        // not after an unanswered attempt, which the provider may hold: the hold lasts until this run has asked it.
        const until = failure.ambiguous ? new Date(this.deps.clock.now().getTime() + wait + 2 * send.claimMs) : null
        await deliveries.holdAttempt(deliveryId, claimed, until).catch(() => undefined)
        await sleep(wait)
        // No answer: the provider may hold the message already, so ask before sending it again;
        // when it cannot be asked either, recovery asks later (the claimed attempt says to).
        if (failure.ambiguous) {
          const adopted = await this.adoptIfSent(deliveryId).catch((err) => this.unasked(deliveryId, err))
          if (adopted !== false) return undefined
        }
        if (failure.kind === 'permanent') return this.fail(sms, failure, !unanswered)
        if (attempt >= send.maxAttempts) return unanswered ? this.confirmLater(deliveryId, claimed) : this.fail(sms, failure, true)
        this.deps.metrics.sendRetries.inc({ code: failure.code })
        continue
      }
      return this.recordAccepted(deliveryId, receipt, stopping)
    }
  }

  /**
   * Why a claim failed: nothing left to send, or another dispatcher's attempt (run again once its
   * hold ends, and no sooner than a second from now: it may have just ended or let go).
   */
  private async heldBy(deliveryId: string): Promise<Held | undefined> {
    const d = await this.deps.deliveries.byId(deliveryId)
    if (!sendable(d)) return undefined
    return new Held(new Date(Math.max(d.claimedUntil?.getTime() ?? 0, this.deps.clock.now().getTime() + 1000)))
  }

  /** Claims the next attempt: over the hold of the one this run counted last (`claimed`), never over another's. */
  private claim(seen: SmsDelivery, claimed: number | undefined): Promise<boolean> {
    const now = this.deps.clock.now()
    const until = new Date(now.getTime() + this.deps.send.claimMs)
    return this.deps.deliveries.claimAttempt(seen, now, until, seen.attempts === claimed)
  }

  /**
   * Whether the delivery's attempts ran out while the last may have reached the provider unanswered
   * (still held: an answered failure lets go): it is only asked about again, never sent.
   */
  private unconfirmed(d: SmsDelivery): boolean {
    return d.attempts >= this.deps.send.maxAttempts && d.claimedUntil !== null
  }

  /**
   * Leaves a text whose attempts ran out after one went unanswered PENDING, held for
   * SEND_CONFIRM_AFTER_MS: the provider's list may not show a message it took yet, and FAILED would
   * tell the agent to send it again.
   */
  private confirmLater(deliveryId: string, claimed: number): Promise<Held> {
    this.deps.logger.warn({ deliveryId }, 'attempts ran out after one went unanswered; the provider is asked again later')
    return this.holdToAsk(deliveryId, claimed)
  }

  /**
   * Holds the delivery's last counted attempt for SEND_CONFIRM_AFTER_MS from now, when the provider
   * is asked again (from now: a lookup that failed may itself have taken longer than the wait).
   */
  private async holdToAsk(deliveryId: string, attempts: number): Promise<Held> {
    const until = new Date(this.deps.clock.now().getTime() + this.deps.send.confirmAfterMs)
    await this.deps.deliveries.holdAttempt(deliveryId, attempts, until).catch(() => undefined)
    return new Held(until)
  }

  /**
   * Asks the provider about a delivery an earlier attempt may have reached, before anything is sent
   * again: a message it holds is adopted. None: SEND, unless the attempts ran out (then the text
   * fails and gives its limit units back). Not asked (an outage, credentials gone): asked again later.
   */
  private async askFirst(d: SmsDelivery): Promise<RunOutcome | typeof SEND> {
    const now = this.deps.clock.now()
    const unconfirmed = this.unconfirmed(d)
    if (unconfirmed && d.claimedUntil && d.claimedUntil > now) return new Held(d.claimedUntil)
    const adopted = await this.adoptIfSent(d.id).catch((err) => this.unasked(d.id, err))
    if (adopted) return undefined
    if (adopted === undefined) return this.askLater(d)
    if (!unconfirmed) return SEND
    const failure = new ProviderFailure('transient', 'PROVIDER_UNAVAILABLE', 'The provider did not answer, and does not hold the text')
    return this.fail(outgoingOf(d), failure, true)
  }

  /**
   * Holds a delivery the provider could not be asked about for SEND_CONFIRM_AFTER_MS, until it is
   * too old to matter. Then it fails without a retryable code, keeping its key and units: it may have gone out.
   */
  private async askLater(d: SmsDelivery): Promise<RunOutcome> {
    if (this.deps.clock.now().getTime() - d.createdAt.getTime() >= UNCONFIRMED_MAX_MS) {
      const failure = new ProviderFailure(
        'permanent',
        'PROVIDER_ERROR',
        'The provider did not answer, and could not be asked whether it took the text',
      )
      return this.fail(outgoingOf(d), failure, false)
    }
    return this.holdToAsk(d.id, d.attempts)
  }

  /**
   * Before resending a delivery whose earlier attempt may have reached the provider, asks it; a
   * message it holds is adopted instead of sent again. True when one was adopted.
   */
  async adoptIfSent(deliveryId: string): Promise<boolean> {
    const d = await this.deps.deliveries.byId(deliveryId)
    if (!sendable(d) || d.attempts === 0) return false
    const taken = (sid: string) => this.deps.deliveries.holdsMessage(sid)
    const existing = await this.deps.providers.transportFor(d.provider).findExisting(outgoingOf(d), taken)
    if (!existing) return false
    this.deps.logger.info({ deliveryId, providerMessageId: existing.providerMessageId }, 'adopted a message sent before a crash')
    await this.deps.status.move(deliveryId, existing.status, 'RECONCILER', {
      providerMessageId: existing.providerMessageId,
      sandbox: existing.sandbox,
    })
    return true
  }

  /**
   * Records what the provider accepted, retrying while the database is briefly down. If it stays
   * down past shutdown, the delivery keeps its claimed attempt and no message id: recovery asks the
   * provider (or its callback, which names the delivery) before anything is sent again.
   */
  private async recordAccepted(deliveryId: string, receipt: ProviderReceipt, stopping: () => boolean): Promise<RunOutcome> {
    const change = { providerMessageId: receipt.providerMessageId, sandbox: receipt.sandbox }
    for (let tries = 1; ; tries++) {
      try {
        return await this.deps.status.move(deliveryId, receipt.status, 'DISPATCHER', change)
      } catch (err) {
        const { logger } = this.deps
        const context = { deliveryId, providerMessageId: receipt.providerMessageId, tries, err: (err as Error).message }
        if (!isTransientDbError(err) || stopping()) {
          logger.error(context, 'the provider accepted a text that could not be recorded; recovery will adopt it')
          return stopping() ? STOPPED : undefined
        }
        logger.warn(context, 'the provider accepted a text; recording it waits for the database')
        await sleep(Math.min(backoffMs(tries, 100), RECORD_RETRY_MAX_MS))
      }
    }
  }

  private async fail(sms: OutgoingSms, failure: ProviderFailure, neverSent: boolean) {
    if (failure.code === 'OPTED_OUT') await this.deps.optOuts.record(sms.userId, senderOf(sms), sms.to, 'TWILIO_21610')
    // A Twilio code says more than ours for a refusal; for an outage ours does (the last 5xx says little).
    const errorCode = failure.kind === 'permanent' ? (failure.providerCode ?? failure.code) : failure.code
    // Only from PENDING: a callback that came meanwhile says the provider took an earlier attempt's message.
    const change = { errorCode, errorMessage: failure.message }
    const failed = await this.deps.status.move(sms.deliveryId, 'FAILED', 'DISPATCHER', change, ['PENDING'])
    // It never went out: the per-call, per-number and daily units it took are given back, so the
    // same request may be sent again (a provider outage must not spend the call's one text).
    if (failed && neverSent) await this.deps.counters.giveBack(takenBy(failed)).catch((err) => this.unreturned(sms.deliveryId, err))
    return failed
  }

  private unreturned(deliveryId: string, err: unknown) {
    this.deps.logger.warn({ deliveryId, err: (err as Error).message }, 'the limit units of a failed text could not be given back')
  }

  private unasked(deliveryId: string, err: unknown): undefined {
    const message = 'could not ask the provider about an unanswered send; left for recovery to ask again'
    this.deps.logger.warn({ deliveryId, err: (err as Error).message }, message)
    return undefined
  }

  private logFailure(deliveryId: string, attempt: number, f: ProviderFailure) {
    this.deps.logger.warn(
      { deliveryId, attempt, kind: f.kind, code: f.code, providerCode: f.providerCode, ambiguous: f.ambiguous, reason: f.message },
      'send attempt failed',
    )
  }
}
