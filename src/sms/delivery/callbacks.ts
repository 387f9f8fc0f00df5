import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { SmsDeliveryStatus } from '../../generated/prisma/enums.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import type { CallbackTarget, DeliveriesStore } from '../../stores/deliveries.js'
import type { Tracing } from '../../telemetry/tracing.js'
import {
  deliveryNamedIn,
  parseStatusCallback,
  type SignedForm,
  STATUS_CALLBACK_PATH,
  type StatusCallback,
  signedBy,
  signedByPlatform,
} from '../providers/twilio/callback.js'
import type { TwilioCredentialStore } from '../providers/twilio/credentials.js'
import type { DeliveryStatusWriter } from './status.js'

/**
 * Applies Twilio status callbacks. The signature is checked with the auth token of the account
 * that sent the message, against the URL under PUBLIC_URL (never the request's Host header, which
 * proxies and tunnels rewrite). A callback for a message we never recorded is tied back to its
 * delivery through the delivery id in the (signed) URL: adopted when the delivery has no message
 * yet, recorded as a duplicate send when it has another. Returns the HTTP status to answer.
 */
/** How often a user's Twilio credentials may be re-read to check a callback that did not verify. */
const REREAD_MS = 5_000

export class StatusCallbacks {
  /** When each user's credentials were last re-read for a callback that did not verify. */
  private readonly rereadAt = new Map<string, number>()

  constructor(
    private readonly deps: {
      deliveries: DeliveriesStore
      status: DeliveryStatusWriter
      credentials: TwilioCredentialStore
      config: Pick<Config, 'publicUrl' | 'atlas'>
      clock: Clock
      metrics: Metrics
      tracing: Tracing
      logger: Logger
    },
  ) {}

  async apply({ params, query, signature, requestId }: SignedForm): Promise<number> {
    const { deliveries, logger } = this.deps
    const callback = parseStatusCallback(params)
    if (!callback) return 400
    const named = deliveryNamedIn(query)
    const delivery = (await deliveries.byProviderMessageId(callback.sid)) ?? (named ? await deliveries.byId(named) : undefined)
    const url = `${this.deps.config.publicUrl}${STATUS_CALLBACK_PATH}${query}`
    if (!delivery) {
      // A message sent outside the service (same account): acknowledged, once Twilio's signature says it is Twilio.
      if (!(await this.signedByAnAccount(signature, url, params))) {
        logger.warn({ requestId, sid: callback.sid }, 'status callback refused: signature does not verify')
        return 403
      }
      logger.info({ requestId, sid: callback.sid }, 'status callback for an unknown message acknowledged')
      return 200
    }
    if (!(await this.verified(delivery, signature, url, params))) {
      logger.warn({ requestId, sid: callback.sid, deliveryId: delivery.id }, 'status callback refused: signature does not verify')
      return 403
    }
    if (delivery.providerMessageId && delivery.providerMessageId !== callback.sid) return this.duplicate(delivery, callback, requestId)
    if (!callback.status) return 200
    this.observeLag(callback, params)
    // Its own trace (the request's), linked to the trace of the send it reports on.
    const links = this.deps.tracing.linkTo(delivery.traceParent ? { traceparent: delivery.traceParent } : undefined)
    const attributes = { 'sms.delivery.id': delivery.id, 'sms.status': callback.status }
    const reported = { ...callback, status: callback.status }
    return this.deps.tracing.span('sms.status_callback', { links, attributes }, () => this.move(delivery, reported, requestId))
  }

  private async move(delivery: CallbackTarget, callback: StatusCallback & { status: SmsDeliveryStatus }, requestId: string) {
    const { logger } = this.deps
    const failed = callback.status === 'UNDELIVERED' || callback.status === 'FAILED'
    const error = failed || callback.errorCode ? { errorCode: callback.errorCode ?? null, errorMessage: callback.errorMessage ?? null } : {}
    const adopted = delivery.providerMessageId ? {} : { providerMessageId: callback.sid }
    if (adopted.providerMessageId)
      logger.info({ requestId, sid: callback.sid, deliveryId: delivery.id }, 'adopted a message from its callback')
    const change = { ...error, ...adopted, forMessage: callback.sid }
    const moved = await this.deps.status.move(delivery.id, callback.status, 'PROVIDER_CALLBACK', change)
    if (moved || !adopted.providerMessageId) return 200
    // Not moved: a later status already, or the dispatcher recorded another message between this
    // callback's read and its write (its status is not this message's: this one was sent twice).
    const now = await this.deps.deliveries.byId(delivery.id)
    if (now?.providerMessageId && now.providerMessageId !== callback.sid) return this.duplicate(now, callback, requestId)
    return 200
  }

  /**
   * Callback lag: from the carrier's report (RawDlrDoneDate, to the minute, UTC, on delivered and
   * undelivered callbacks) to now.
   */
  private observeLag(callback: StatusCallback, params: Record<string, string>) {
    const done = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(params.RawDlrDoneDate ?? '')
    if (!done) return
    const [, yy, mo, dd, hh, mi] = done.map(Number) as number[]
    const reported = Date.UTC(2000 + (yy as number), (mo as number) - 1, dd, hh, mi)
    const lag = (this.deps.clock.now().getTime() - reported) / 1000
    if (lag >= 0 && lag < 86_400) this.deps.metrics.callbackLag.observe({ status: String(callback.status) }, lag)
  }

  /**
   * Whether the account that sent the delivery signed the callback. Remembered credentials are
   * re-read before refusing (a token rotated elsewhere), at most once per REREAD_MS per user:
   * forged callbacks naming a delivery must not each cost a read.
   */
  private async verified(delivery: CallbackTarget, signature: string, url: string, params: Record<string, string>) {
    const { credentials, config } = this.deps
    if (delivery.provider === 'ATLAS') return signedByPlatform(config.atlas, signature, url, params)
    for (const fresh of [false, true]) {
      if (fresh && !this.mayReread(delivery.userId)) return false
      const account = await credentials.of(delivery.userId, fresh)
      if (account && signedBy(account, signature, url, params)) return true
    }
    return false
  }

  private mayReread(userId: string): boolean {
    const now = this.deps.clock.now().getTime()
    if (now - (this.rereadAt.get(userId) ?? Number.NEGATIVE_INFINITY) < REREAD_MS) return false
    if (this.rereadAt.size >= 10_000) this.rereadAt.clear()
    this.rereadAt.set(userId, now)
    return true
  }

  /** Whether the platform's account, or an account the callback names that a user holds, signed it. */
  private async signedByAnAccount(signature: string, url: string, params: Record<string, string>) {
    const { credentials, config } = this.deps
    if (signedByPlatform(config.atlas, signature, url, params)) return true
    if (!signature || !params.AccountSid) return false
    return (await credentials.signers(params.AccountSid, signature, url, params)).length > 0
  }

  private async duplicate(delivery: CallbackTarget, callback: StatusCallback, requestId: string): Promise<number> {
    const { deliveries, clock, metrics, logger } = this.deps
    if (await deliveries.recordDuplicate(delivery.id, callback.sid, clock.now())) {
      metrics.duplicateSends.inc({ provider: delivery.provider })
      logger.error({ requestId, deliveryId: delivery.id, sid: callback.sid, kept: delivery.providerMessageId }, 'a text was sent twice')
    }
    return 200
  }
}
