import { Repeater } from 'graphql-yoga'
import type { Viewer } from '../auth.js'
import { AppError, NotFoundError, ValidationError } from '../errors.js'
import type { Stores } from '../stores/index.js'
import type { DeliveryUpdate, PubSub } from './pubsub.js'

export interface UpdateFilters {
  deliveryId?: string | null
  campaignId?: string | null
  callId?: string | null
}

type Stream = AsyncIterator<DeliveryUpdate>

/**
 * The delivery-update subscriptions of this process, by API key, so a revoked key's end at once
 * and shutdown can end them all.
 */
export class DeliveryUpdates {
  private readonly open = new Map<string, Set<Stream>>()

  constructor(
    private readonly pubsub: PubSub,
    private readonly stores: Pick<Stores, 'deliveries' | 'campaigns'>,
    private readonly perKey: number,
  ) {}

  /**
   * The viewer's delivery updates matching the filters (at least one). Ownership of the filtered
   * ids is checked on subscribe; the topic is the viewer's user, so nothing else can arrive. A
   * Repeater, so that ending it (unsubscribe, revocation) releases the topic at once.
   */
  async subscribe(viewer: Viewer, f: UpdateFilters): Promise<AsyncIterableIterator<DeliveryUpdate>> {
    if (!f.deliveryId && !f.campaignId && !f.callId) throw new ValidationError('Give at least one of deliveryId, campaignId or callId')
    const { userId, keyId } = viewer
    const mine = this.open.get(keyId) ?? new Set()
    if (mine.size >= this.perKey)
      throw new AppError('RATE_LIMITED', `At most ${this.perKey} subscriptions may be open at once with one key`)
    this.open.set(keyId, mine)
    // Held before the first await, so concurrent subscribers cannot all pass the check above.
    const seat: Stream = { next: async () => ({ done: true, value: undefined }) }
    mine.add(seat)
    const leave = (s: Stream) => {
      mine.delete(s)
      if (mine.size === 0 && this.open.get(keyId) === mine) this.open.delete(keyId)
    }
    try {
      if (f.deliveryId && !(await this.stores.deliveries.isOwned(userId, f.deliveryId))) throw new NotFoundError('SMS delivery')
      if (f.campaignId) await this.stores.campaigns.owned(userId, f.campaignId)
    } catch (e) {
      leave(seat)
      throw e
    }
    const matches = ({ delivery: d }: DeliveryUpdate) =>
      (!f.deliveryId || d.id === f.deliveryId) && (!f.campaignId || d.campaignId === f.campaignId) && (!f.callId || d.callId === f.callId)
    const updates: Repeater<DeliveryUpdate> = new Repeater(async (push, stop) => {
      const topic = this.pubsub.subscribe('delivery:updated', userId)[Symbol.asyncIterator]()
      void stop.then(() => topic.return?.())
      try {
        for (let r = await topic.next(); !r.done; r = await topic.next()) if (matches(r.value)) await push(r.value)
      } finally {
        leave(updates)
        stop()
      }
    })
    mine.delete(seat)
    mine.add(updates)
    return updates
  }

  /** Ends the open subscriptions of a key (revoked), or of everyone (shutdown). */
  async end(keyId?: string): Promise<number> {
    const streams = keyId ? [...(this.open.get(keyId) ?? [])] : [...this.open.values()].flatMap((s) => [...s])
    await Promise.all(streams.map((s) => s.return?.()))
    return streams.length
  }

  /** How many subscriptions are open in this process. */
  get size(): number {
    let n = 0
    for (const s of this.open.values()) n += s.size
    return n
  }
}
