import { config } from '../config.js'
import { db } from '../db.js'
import type { SmsDelivery } from '../generated/prisma/client.js'
import { logger } from '../logger.js'
import { type OutgoingSms, outgoingOf, ProviderFailure, transportFor } from './providers/index.js'
import { applyStatus, loadDelivery } from './status.js'

/** Hands persisted deliveries to their provider. In-process here; Redis mode backs it with BullMQ. */
export interface Dispatcher {
  /**
   * Dispatches a PENDING delivery; resolves once the provider answered or it gave up, with the row
   * as this process last wrote it when it did the work (undefined otherwise).
   */
  enqueue(deliveryId: string, first?: FirstAttempt): Promise<SmsDelivery | undefined>
  /** Picks up deliveries left PENDING by a crash, without sending any twice. */
  resume(): Promise<number>
  stop(): Promise<void>
}

/** What the request that stored a delivery already holds, so its first attempt reads nothing again. */
export interface FirstAttempt {
  delivery: SmsDelivery
  twilio?: OutgoingSms['twilio']
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2·base, … */
export function backoffMs(attempt: number, base = config.send.retryBaseMs): number {
  return Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5))
}

const sendable = (d: SmsDelivery | null): d is SmsDelivery => d?.status === 'PENDING' && !d.providerMessageId

async function outgoing(deliveryId: string): Promise<(OutgoingSms & { attempts: number }) | undefined> {
  const d = (await loadDelivery(deliveryId)) ?? null
  return sendable(d) ? { ...outgoingOf(d), attempts: d.attempts } : undefined
}

async function fail(sms: OutgoingSms, failure: ProviderFailure) {
  if (failure.code === 'OPTED_OUT') {
    const sender = sms.fromNumber ?? 'ATLAS'
    await db.optOut.upsert({
      where: { userId_sender_phone: { userId: sms.userId, sender, phone: sms.to } },
      create: { userId: sms.userId, sender, phone: sms.to, source: 'TWILIO_21610' },
      update: {},
    })
  }
  // A Twilio code says more than ours for a refusal; for an outage ours does (the last 5xx says little).
  const errorCode = failure.kind === 'permanent' ? (failure.providerCode ?? failure.code) : failure.code
  return applyStatus(sms.deliveryId, 'FAILED', 'DISPATCHER', { errorCode, errorMessage: failure.message })
}

/**
 * Counts an attempt unless another dispatcher counted one since `d` was read, or it is no longer
 * sendable. One raw statement: this runs for every text (see bench/statements.ts).
 */
async function claim(d: SmsDelivery): Promise<boolean> {
  const claimed = await db.$executeRaw`UPDATE "SmsDelivery" SET "attempts" = "attempts" + 1, "updatedAt" = ${new Date()}
    WHERE "id" = ${d.id} AND "status" = 'PENDING' AND "providerMessageId" IS NULL AND "attempts" = ${d.attempts}`
  return claimed === 1
}

/**
 * Sends one delivery: claims an attempt in the database (so a crash leaves a trace), calls the
 * provider, retries transient failures with backoff, and records the outcome.
 */
export async function dispatchOnce(
  deliveryId: string,
  stopping: () => boolean = () => false,
  first?: FirstAttempt,
): Promise<SmsDelivery | undefined> {
  // The row as last seen: the claim below succeeds only if nobody else claimed it since.
  let seen = first && sendable(first.delivery) ? first.delivery : undefined
  for (let attempt = 1; ; attempt++) {
    // On shutdown no new attempt starts: the delivery stays PENDING and the next start resumes it.
    if (stopping()) return undefined
    seen ??= await loadDelivery(deliveryId)
    if (!seen || !sendable(seen) || !(await claim(seen))) return undefined
    const sms = { ...outgoingOf(seen), twilio: attempt === 1 ? first?.twilio : undefined }
    seen = { ...seen, attempts: seen.attempts + 1 }
    try {
      const accepted = await transportFor(sms.provider).send(sms)
      return await applyStatus(deliveryId, accepted.status, 'DISPATCHER', {
        providerMessageId: accepted.providerMessageId,
        sandbox: accepted.sandbox,
      })
    } catch (e) {
      const failure = e instanceof ProviderFailure ? e : new ProviderFailure('transient', 'PROVIDER_UNAVAILABLE', (e as Error).message)
      logger.warn(
        {
          deliveryId,
          attempt,
          kind: failure.kind,
          code: failure.code,
          providerCode: failure.providerCode,
          ambiguous: failure.ambiguous,
          reason: failure.message,
        },
        'send attempt failed',
      )
      await sleep(failure.kind === 'transient' ? backoffMs(attempt) : 0)
      // No answer: the provider may hold the message already, so ask before sending it again.
      if (
        failure.ambiguous &&
        (await reconcileAttempted(deliveryId).catch((err) => {
          logger.warn({ deliveryId, err: (err as Error).message }, 'could not ask the provider about an unanswered send')
          return false
        }))
      )
        return undefined
      if (failure.kind === 'permanent' || attempt >= config.send.maxAttempts) return fail(sms, failure)
    }
  }
}

/** Before resending a delivery whose earlier attempt may have reached the provider, asks it. */
export async function reconcileAttempted(deliveryId: string): Promise<boolean> {
  const sms = await outgoing(deliveryId)
  if (!sms || sms.attempts === 0) return false
  const existing = await transportFor(sms.provider).findExisting(sms)
  if (!existing) return false
  logger.info({ deliveryId, providerMessageId: existing.providerMessageId }, 'adopted a message sent before a crash')
  await applyStatus(deliveryId, existing.status, 'RECONCILER', { providerMessageId: existing.providerMessageId, sandbox: existing.sandbox })
  return true
}

/** The default dispatcher: one promise per delivery in this process. */
export class InProcessDispatcher implements Dispatcher {
  private inflight = new Map<string, Promise<SmsDelivery | undefined>>()
  private stopping = false

  enqueue(deliveryId: string, first?: FirstAttempt): Promise<SmsDelivery | undefined> {
    const running = this.inflight.get(deliveryId)
    if (running) return running
    if (this.stopping) return Promise.resolve(undefined)
    const run = (async () => {
      if (config.send.dispatchDelayMs) await sleep(config.send.dispatchDelayMs)
      return dispatchOnce(deliveryId, () => this.stopping, first)
    })()
      .catch((err) => {
        logger.error({ err, deliveryId }, 'dispatch failed')
        return undefined
      })
      .finally(() => this.inflight.delete(deliveryId))
    this.inflight.set(deliveryId, run)
    return run
  }

  async resume(): Promise<number> {
    const stuck = await db.smsDelivery.findMany({
      where: { status: 'PENDING', providerMessageId: null },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
    })
    for (const { id } of stuck) {
      const adopted = await reconcileAttempted(id).catch((err) => {
        logger.warn({ err, deliveryId: id }, 'could not ask the provider about an interrupted send; not resending yet')
        return undefined
      })
      if (adopted === false) void this.enqueue(id)
    }
    if (stuck.length) logger.info({ count: stuck.length }, 'resumed pending deliveries')
    return stuck.length
  }

  async stop(): Promise<void> {
    this.stopping = true
    await Promise.allSettled([...this.inflight.values()])
  }
}
