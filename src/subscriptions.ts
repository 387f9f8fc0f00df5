import { Repeater } from 'graphql-yoga'
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
 * A Repeater, so that ending it (unsubscribe, revocation) releases the topic at once rather than
 * at the next event.
 */
export async function deliveryUpdates(auth: Auth | null, f: UpdateFilters): Promise<AsyncIterableIterator<DeliveryUpdate>> {
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
  const matches = (d: DeliveryUpdate['delivery']) =>
    d.userId === userId &&
    (!f.deliveryId || d.id === f.deliveryId) &&
    (!f.campaignId || d.campaignId === f.campaignId) &&
    (!f.callId || d.callId === f.callId)
  const mine = open.get(keyId) ?? new Set()
  open.set(keyId, mine)
  const updates: Repeater<DeliveryUpdate> = new Repeater(async (push, stop) => {
    const topic = pubsub.subscribe('delivery:updated')[Symbol.asyncIterator]()
    mine.add(updates)
    void stop.then(() => topic.return?.())
    try {
      for (let r = await topic.next(); !r.done; r = await topic.next()) if (matches(r.value.delivery)) await push(r.value)
    } finally {
      mine.delete(updates)
      if (mine.size === 0 && open.get(keyId) === mine) open.delete(keyId)
      stop()
    }
  })
  return updates
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
