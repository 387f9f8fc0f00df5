import type { Clock } from '../clock.js'
import type { Cipher } from '../crypto.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { AttemptOutcome, ClaimedMessage, WebhooksStore } from '../stores/webhooks.js'
import { payloadOf } from './payload.js'
import { type PostResult, postJson } from './poster.js'
import { signedHeaders } from './signing.js'
import { refusalOf } from './targets.js'

export interface WebhookSettings {
  /** Waits before each retry, in order; once spent, the message has FAILED. */
  retryScheduleMs: number[]
  timeoutMs: number
  allowHttp: boolean
  allowPrivate: boolean
  /** How long a message is held by the instance posting it. */
  lockMs: number
}

const UNREADABLE_SECRET = 'the signing secret cannot be read (sealed under another ENCRYPTION_KEY): rotate it'

/** The context a webhook secret is sealed for: the endpoint (a copied ciphertext opens nowhere else). */
export const secretContext = (endpointId: string) => `webhook:${endpointId}`

/**
 * Posts one outbox message: claims it (so no other instance posts it meanwhile), signs and POSTs
 * it, records the attempt, and schedules the retry, the failure or the endpoint's disabling.
 */
export class WebhookAttempts {
  constructor(
    private readonly deps: {
      webhooks: WebhooksStore
      cipher: Cipher
      clock: Clock
      logger: Logger
      metrics: Metrics
      settings: WebhookSettings
    },
  ) {}

  /** Makes one attempt at the message: how it ended, or undefined when it was not due or another instance holds it. */
  async attempt(messageId: string): Promise<AttemptOutcome | undefined> {
    const { webhooks, clock, settings } = this.deps
    const now = clock.now()
    const m = await webhooks.claim(messageId, now, new Date(now.getTime() + settings.lockMs))
    if (!m) return undefined
    const result = await this.post(m)
    const outcome = this.outcomeOf(m, result)
    await webhooks.finish(m, outcome)
    this.deps.metrics.webhookAttempts.inc({ outcome: outcome.next.toLowerCase() })
    this.deps.logger.info(
      {
        webhookMessageId: m.id,
        endpointId: m.endpointId,
        attempt: m.attempts,
        statusCode: result.statusCode,
        ms: result.latencyMs,
        next: outcome.next,
      },
      'webhook attempt',
    )
    return outcome
  }

  private async post(m: ClaimedMessage): Promise<PostResult> {
    const { settings, cipher, clock } = this.deps
    const refused = refusalOf(m.endpoint.url, settings)
    if (refused) return { statusCode: null, latencyMs: 0, error: `the URL ${refused.reason}` }
    const body = payloadOf(m)
    const secret = cipher.open(m.endpoint.secret, secretContext(m.endpointId))
    // Sealed under another ENCRYPTION_KEY: a failed attempt like any other, retried then FAILED, not held forever.
    if (secret === undefined) return { statusCode: null, latencyMs: 0, error: UNREADABLE_SECRET }
    const headers = signedHeaders(secret, m.id, clock.now(), body)
    const { timeoutMs, allowPrivate } = settings
    return postJson(m.endpoint.url, headers, body, { timeoutMs, allowPrivate, owner: m.endpoint.userId })
  }

  /** Delivered on a 2xx; 410 Gone disables the endpoint; otherwise the next retry, or FAILED once they are spent. */
  private outcomeOf(m: ClaimedMessage, r: PostResult): AttemptOutcome {
    const at = this.deps.clock.now()
    const base = { at, statusCode: r.statusCode, latencyMs: r.latencyMs, error: r.error }
    if (r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300) return { ...base, next: 'DELIVERED' }
    if (r.statusCode === 410) return { ...base, next: 'FAILED', disable: 'The endpoint answered 410 Gone.' }
    const wait = this.deps.settings.retryScheduleMs[m.attempts - 1]
    if (wait !== undefined) return { ...base, next: 'RETRY', retryAt: new Date(at.getTime() + wait) }
    // Out of retries: an endpoint with no 2xx for as long as a message's retries last keeps failing.
    const since = m.endpoint.failingSince
    const window = this.deps.settings.retryScheduleMs.reduce((a, b) => a + b, 0)
    const last = r.statusCode !== null ? `HTTP ${r.statusCode}` : r.error
    const keepsFailing = since !== null && at.getTime() - since.getTime() >= window
    return {
      ...base,
      next: 'FAILED',
      disable: keepsFailing ? `No attempt has succeeded since ${since.toISOString()}; the last answer: ${last}.` : undefined,
    }
  }
}
