import type { Auth } from './auth.js'
import { db } from './db.js'
import { NotFoundError, ValidationError } from './errors.js'
import { type DeliveryUpdate, pubsub } from './pubsub.js'

export interface UpdateFilters {
  deliveryId?: string | null
  campaignId?: string | null
  callId?: string | null
}

type Stream = AsyncIterator<DeliveryUpdate>
const open = new Map<string, Set<Stream>>()

/**
 * The caller's delivery updates matching the filters (at least one). Ownership is checked on
 * subscribe and every event is filtered by user, so nobody receives another user's updates.
 */
export async function* deliveryUpdates(auth: Auth | null, f: UpdateFilters): AsyncGenerator<DeliveryUpdate> {
  if (auth?.kind !== 'key') throw new ValidationError('Subscriptions need an API key')
  if (!f.deliveryId && !f.campaignId && !f.callId) {
    throw new ValidationError('Give at least one of deliveryId, campaignId or callId')
  }
  const { userId, keyId } = auth
  if (f.deliveryId && !(await db.smsDelivery.findFirst({ where: { id: f.deliveryId, userId }, select: { id: true } }))) {
    throw new NotFoundError('SMS delivery')
  }
  if (f.campaignId && !(await db.campaign.findFirst({ where: { id: f.campaignId, userId }, select: { id: true } }))) {
    throw new NotFoundError('Campaign')
  }
  const stream = pubsub.subscribe('delivery:updated')[Symbol.asyncIterator]()
  const mine = open.get(keyId) ?? new Set()
  open.set(keyId, mine.add(stream))
  try {
    for (;;) {
      const { value, done } = await stream.next()
      if (done) return
      const d = value.delivery
      if (d.userId !== userId) continue
      if ((f.deliveryId && d.id !== f.deliveryId) || (f.campaignId && d.campaignId !== f.campaignId) || (f.callId && d.callId !== f.callId))
        continue
      yield value
    }
  } finally {
    mine.delete(stream)
    if (mine.size === 0) open.delete(keyId)
    await stream.return?.()
  }
}

/** Ends the open subscriptions of a key (revoked), or of everyone (shutdown). */
export async function endSubscriptions(keyId?: string): Promise<number> {
  const streams = keyId ? [...(open.get(keyId) ?? [])] : [...open.values()].flatMap((s) => [...s])
  await Promise.all(streams.map((s) => s.return?.()))
  return streams.length
}

/** How many subscriptions are open in this process. */
export function openSubscriptions(): number {
  let n = 0
  for (const s of open.values()) n += s.size
  return n
}
