import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Executor } from '../../db/client.js'
import { isTransientDbError, isUniqueViolation } from '../../db/client.js'
import { type ErrorCode, isRetryable, SendSmsError } from '../../errors.js'
import type { Metrics } from '../../metrics.js'
import type { SmsDelivery } from '../../stores/deliveries.js'
import type { Stores } from '../../stores/index.js'
import type { SendContext } from '../../stores/sendContext.js'
import type { Tracing } from '../../telemetry/tracing.js'
import { deliveryTruth } from '../agent/deliveryTruth.js'
import { acceptedMessage } from '../agent/messages.js'
import type { Dispatcher } from '../delivery/dispatcher.js'
import type { DeliveryStatusWriter } from '../delivery/status.js'
import { type TwilioCredentialStore, UNREADABLE_CREDENTIALS } from '../providers/twilio/credentials.js'
import { errorCodeOf } from '../providers/twilio/errors.js'
import type { TwilioCredentials } from '../providers/types.js'
import { senderOf } from '../sender.js'
import { type Composed, candidates, compose } from './compose.js'
import { parseSendInput, requestHash, type SendInput, type SendRequest } from './input.js'
import { effectiveLimits, limitRefusal, refusalSlot, sendSlots, type TextLimits } from './limits.js'
import { spokenNumber } from './phone.js'
import { policy, refuse } from './refusals.js'
import { MAX_BODY_CHARS } from './segments.js'

/** What sendSms answers when it accepts: the delivery as it stands, and the agent's sentence. */
export interface SendOutcome {
  delivery: SmsDelivery
  agentMessage: string
}

/** What previewSms answers: the text that would go, and the agent's sentence. */
export interface PreviewOutcome extends Composed {
  provider: SmsDelivery['provider']
  agentMessage: string
}

/** Refusals of how the action is set up, which the owner may mend (a retry then goes through). */
const SET_UP = new Set<ErrorCode>([
  'ACTION_NOT_ATTACHED',
  'ACTION_DISABLED',
  'PROVIDER_NOT_ENABLED',
  'TWILIO_CREDENTIALS_MISSING',
  'TWILIO_CREDENTIALS_INVALID',
])

class LimitReached extends Error {
  constructor(readonly refusal: SendSmsError) {
    super(refusal.message)
  }
}

/** The outcome of a stored delivery, as sendSms reports it (also for idempotent replays). */
function outcomeOf(d: SmsDelivery): SendOutcome {
  if (d.status === 'REJECTED' || d.status === 'FAILED') {
    const code = errorCodeOf(d.errorCode)
    throw refuse(code, d.errorMessage ?? code, undefined, d.id)
  }
  // A replay of a text that was sent but never arrived says so, not that it is on its way.
  if (d.status === 'UNDELIVERED') return { delivery: d, agentMessage: deliveryTruth([d]) }
  return { delivery: d, agentMessage: acceptedMessage(d, d.requestedTo !== null) }
}

/** A database that is briefly down answers a typed, retryable refusal instead of an internal error. */
async function unavailableAsRefusal<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (!isTransientDbError(e)) throw e
    throw refuse('TEMPORARILY_UNAVAILABLE', 'The database is briefly unavailable; send again with the same idempotencyKey')
  }
}

/**
 * The send use case: validates, records the attempt (PENDING, or REJECTED with the code) before
 * any provider call, dispatches, and answers with what it has after a short wait.
 */
export class Sending {
  constructor(
    private readonly deps: {
      stores: Pick<Stores, 'deliveries' | 'sendContext' | 'counters'>
      metrics: Metrics
      tracing: Tracing
      credentials: TwilioCredentialStore
      status: DeliveryStatusWriter
      dispatcher: Dispatcher
      clock: Clock
      send: Pick<Config['send'], 'waitMs'>
      textLimits: TextLimits
      refusalsRecordedPerMinute: number
      sandboxed: (provider: SmsDelivery['provider']) => boolean
    },
  ) {}

  async send(userId: string, raw: SendInput): Promise<SendOutcome> {
    return this.counted(() => unavailableAsRefusal(() => this.sendOnce(userId, raw)))
  }

  /** What send would do, without storing or sending anything. */
  async preview(userId: string, raw: SendInput): Promise<PreviewOutcome> {
    return this.counted(() => unavailableAsRefusal(() => this.previewOnce(userId, raw)))
  }

  private async sendOnce(userId: string, raw: SendInput): Promise<SendOutcome> {
    const i = parseSendInput(raw)
    const hash = requestHash(i)
    const earlier = await this.replay(userId, i, hash)
    if (earlier) return earlier
    const found = await this.context(userId, i)
    const usable = this.usable(userId, found)
    const composed = compose(found.action, i)
    // A detached or disabled action, or a provider it cannot use, is recorded too: the owner sees what the agent tried.
    if ('refusal' in usable) return this.reject(userId, i, hash, found, 'refusal' in composed ? composed.partial : composed, usable.refusal)
    const ctx = { ...found, credentials: usable.credentials }
    if ('refusal' in composed) return this.reject(userId, i, hash, ctx, composed.partial, composed.refusal)
    if (ctx.action.requiresConsent && !i.callerAgreed) return this.reject(userId, i, hash, ctx, composed, policy.consent(ctx.action))
    if (ctx.optedOut.includes(composed.to)) return this.reject(userId, i, hash, ctx, composed, policy.optedOut(ctx.action, composed.to))
    let delivery: SmsDelivery
    try {
      delivery = await this.record(userId, i, hash, ctx, composed)
    } catch (e) {
      if (e instanceof LimitReached) return this.reject(userId, i, hash, ctx, composed, e.refusal)
      const existing = isUniqueViolation(e) ? await this.replay(userId, i, hash) : undefined
      if (existing) return existing
      throw e
    }
    return outcomeOf(await this.deps.dispatcher.dispatch(delivery, { twilio: ctx.credentials, waitMs: this.deps.send.waitMs }))
  }

  private async previewOnce(userId: string, raw: SendInput): Promise<PreviewOutcome> {
    const i = parseSendInput(raw)
    await this.replay(userId, i, requestHash(i), { dryRun: true })
    const ctx = await this.resolve(userId, i)
    const { action, optedOut } = ctx
    const c = compose(action, i)
    if ('refusal' in c) throw c.refusal
    if (action.requiresConsent && !i.callerAgreed) throw policy.consent(action)
    if (optedOut.includes(c.to)) throw policy.optedOut(action, c.to)
    const slots = this.slotsFor(userId, i, ctx, c.to)
    const used = await this.deps.stores.counters.used(slots.map((s) => s.key))
    const full = limitRefusal(slots, (s) => (used.get(s.key) ?? 0) >= s.limit, action)
    if (full) throw full
    const segments = `${c.segments} segment${c.segments === 1 ? '' : 's'}, ${c.encoding === 'GSM7' ? 'GSM-7' : 'Unicode'}`
    return { ...c, provider: action.provider, agentMessage: `This would text ${spokenNumber(c.to)}: ${segments}.` }
  }

  /** The action and campaign, owned, attached, enabled, with a usable provider (its credentials opened); or a refusal. */
  private async resolve(userId: string, i: SendRequest): Promise<SendContext & { credentials?: TwilioCredentials }> {
    const ctx = await this.context(userId, i)
    const usable = this.usable(userId, ctx)
    if ('refusal' in usable) throw usable.refusal
    return { ...ctx, credentials: usable.credentials }
  }

  /** The action and campaign of a send, both the caller's; NOT_FOUND otherwise. */
  private async context(userId: string, i: SendRequest): Promise<SendContext> {
    const ctx = await this.deps.stores.sendContext.load(userId, i.smsActionId, i.campaignId, candidates(i))
    if (!ctx) throw refuse('NOT_FOUND', 'SMS action not found')
    if (!ctx.campaignFound) throw refuse('NOT_FOUND', 'Campaign not found')
    return ctx
  }

  /** Why the action cannot send (not attached, disabled, its provider unusable), or its provider's opened credentials. */
  private usable(userId: string, ctx: SendContext): { refusal: SendSmsError } | { credentials?: TwilioCredentials } {
    const { action } = ctx
    if (!ctx.attached) return { refusal: refuse('ACTION_NOT_ATTACHED', `${action.name} is not attached to this campaign`) }
    if (!action.enabled) return { refusal: refuse('ACTION_DISABLED', `${action.name} is disabled`) }
    if (!ctx.enabledProviders.includes(action.provider)) {
      return { refusal: refuse('PROVIDER_NOT_ENABLED', `${action.provider} is not enabled for this account`) }
    }
    if (action.provider !== 'TWILIO') return {}
    if (!ctx.twilio) return { refusal: refuse('TWILIO_CREDENTIALS_MISSING', 'No Twilio credentials on the profile') }
    const credentials = this.deps.credentials.decrypted(userId, ctx.twilio)
    return credentials ? { credentials } : { refusal: refuse('TWILIO_CREDENTIALS_INVALID', UNREADABLE_CREDENTIALS) }
  }

  /**
   * The earlier outcome of a retried request (same idempotency key); IDEMPOTENCY_CONFLICT when it
   * asked something else. A dry run (previewSms) changes nothing.
   */
  private async replay(userId: string, i: SendRequest, hash: string, opts = { dryRun: false }): Promise<SendOutcome | undefined> {
    if (!i.idempotencyKey) return undefined
    const { deliveries } = this.deps.stores
    const existing = await deliveries.byIdempotencyKey(userId, i.call.callId, i.idempotencyKey)
    if (!existing) return undefined
    if (existing.requestHash !== hash) {
      throw refuse('IDEMPOTENCY_CONFLICT', 'This idempotencyKey was used with a different request', undefined, existing.id)
    }
    const d = await deliveries.byId(existing.id)
    if (!d) throw new Error(`delivery ${existing.id} vanished`)
    // The provider never took it and said to try again later: the same request with its key is sent anew.
    if (d.status === 'FAILED' && isRetryable(errorCodeOf(d.errorCode))) {
      if (!opts.dryRun) await deliveries.releaseIdempotencyKey(d.id)
      return undefined
    }
    return outcomeOf(d)
  }

  /** The limits this text counts against (see limits.ts). */
  private slotsFor(userId: string, i: SendRequest, ctx: SendContext, to: string, now = this.deps.clock.now()) {
    const limits = effectiveLimits(ctx.limits, this.deps.textLimits)
    const sender = senderOf(ctx.action)
    return sendSlots({ action: ctx.action, userId, callId: i.call.callId, to, sender }, now, limits)
  }

  /** Stores the accepted text PENDING, taking a unit of each limit in the same transaction. */
  private record(userId: string, i: SendRequest, hash: string, ctx: SendContext, c: Composed): Promise<SmsDelivery> {
    // One reading of the clock: a failed text gives back the units of the windows of its createdAt.
    const now = this.deps.clock.now()
    const slots = this.slotsFor(userId, i, ctx, c.to, now)
    const row = {
      ...this.base(userId, i, hash, ctx),
      ...c,
      bodyLength: null,
      status: 'PENDING' as const,
      errorCode: null,
      errorMessage: null,
    }
    const guard = async (tx: Executor) => {
      const full = new Set(await this.deps.stores.counters.take(tx, slots))
      const refusal = limitRefusal(slots, (s) => full.has(s.key), ctx.action)
      if (refusal) throw new LimitReached(refusal)
    }
    return this.deps.status.create(row, guard, now)
  }

  /**
   * Records a refusal (REJECTED, with its code, the body cut to 1,600 characters) and answers it; a
   * concurrent retry answers the stored outcome. Past REFUSALS_RECORDED_PER_MINUTE a minute, the
   * refusal is answered without being stored.
   */
  private async reject(userId: string, i: SendRequest, hash: string, ctx: SendContext, c: Composed, refusal: SendSmsError) {
    const characters = [...c.body]
    const cut = characters.length > MAX_BODY_CHARS
    const body = cut ? { body: characters.slice(0, MAX_BODY_CHARS).join(''), bodyLength: characters.length } : { bodyLength: null }
    const row = {
      ...this.base(userId, i, hash, ctx),
      // A refusal that may pass later (RATE_LIMITED, or once the owner mends the action) keeps no key:
      // the same request may come again with it.
      ...(refusal.retryable || SET_UP.has(refusal.code) ? { idempotencyKey: null } : {}),
      ...c,
      ...body,
      status: 'REJECTED' as const,
      errorCode: refusal.code,
      errorMessage: refusal.message,
    }
    const slot = refusalSlot(userId, this.deps.clock.now(), this.deps.refusalsRecordedPerMinute)
    let recorded: SmsDelivery
    try {
      recorded = await this.deps.status.create(row, async (tx) => {
        if ((await this.deps.stores.counters.take(tx, [slot])).length) throw new LimitReached(refusal)
      })
    } catch (e) {
      if (e instanceof LimitReached) throw refusal
      const existing = isUniqueViolation(e) ? await this.replay(userId, i, hash) : undefined
      if (existing) return existing
      throw e
    }
    throw new SendSmsError(refusal.code, refusal.message, refusal.agentMessage, recorded.id)
  }

  private base(userId: string, i: SendRequest, hash: string, { action }: SendContext) {
    return {
      userId,
      smsActionId: action.id,
      campaignId: i.campaignId,
      callId: i.call.callId,
      provider: action.provider,
      sandbox: this.deps.sandboxed(action.provider),
      fromNumber: action.fromNumber,
      idempotencyKey: i.idempotencyKey ?? null,
      requestHash: hash,
      traceParent: this.deps.tracing.carrier()?.traceparent,
    }
  }

  /** Counts refusals by code on their way out. */
  private async counted<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (e) {
      if (e instanceof SendSmsError) this.deps.metrics.refusals.inc({ code: e.code })
      throw e
    }
  }
}
