import { config } from '../config.js'
import { db } from '../db.js'
import { logger } from '../logger.js'
import { pruneCounters } from './counters.js'
import { outgoingOf, ProviderFailure, transportFor } from './providers/index.js'
import { applyStatus } from './status.js'
import { TWILIO_DELIVERY_ERRORS } from './twilioErrors.js'

const MAX_AGE_MS = 3 * 86_400_000

/**
 * Brings deliveries stuck in a non-final status up to date from the provider: Twilio sends no
 * callback for the first status, and callbacks can be lost. Goes through the same forward-only path.
 */
export async function reconcileOnce(olderThanMs = config.reconcile.afterMs, limit = 100): Promise<number> {
  const now = Date.now()
  const stuck = await db.smsDelivery.findMany({
    where: {
      status: { in: ['QUEUED', 'SENDING', 'SENT'] },
      providerMessageId: { not: null },
      updatedAt: { lte: new Date(now - olderThanMs) },
      createdAt: { gt: new Date(now - MAX_AGE_MS) },
    },
    orderBy: { updatedAt: 'asc' },
    take: limit,
  })
  let moved = 0
  for (const d of stuck) {
    try {
      const fetched = await transportFor(d.provider).fetchStatus(outgoingOf(d), d.providerMessageId as string)
      if (!fetched) continue
      const errorMessage = fetched.errorCode ? (TWILIO_DELIVERY_ERRORS[fetched.errorCode] ?? `Twilio error ${fetched.errorCode}`) : null
      const change = fetched.errorCode ? { errorCode: fetched.errorCode, errorMessage } : {}
      if (await applyStatus(d.id, fetched.status, d.sandbox ? 'SANDBOX' : 'RECONCILER', change)) moved++
    } catch (err) {
      const failure = err instanceof ProviderFailure ? { code: err.code, message: err.message } : { message: (err as Error).message }
      logger.warn({ deliveryId: d.id, ...failure }, 'reconcile: could not fetch the message status')
    }
  }
  await pruneCounters()
  if (moved) logger.info({ checked: stuck.length, moved }, 'reconciled deliveries')
  return moved
}

/** Runs reconcileOnce every RECONCILE_INTERVAL_MS (0: never). */
export function startReconciler(): { stop(): Promise<void> } {
  if (!config.reconcile.intervalMs) return { stop: async () => undefined }
  let running: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(() => reconcileOnce()).catch((err) => logger.error({ err }, 'reconcile failed'))
  }, config.reconcile.intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
