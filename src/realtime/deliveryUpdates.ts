import { Repeater } from 'graphql-yoga'
import type { Viewer } from '../auth.js'
import { AppError, NotFoundError, refusalError, ValidationError } from '../errors.js'
import { Seats } from '../seats.js'
import { isAfter } from '../sms/delivery/status.js'
import type { Stores } from '../stores/index.js'
import type { DeliveryUpdate, PubSub } from './pubsub.js'

export interface UpdateFilters {
  deliveryId?: string | null
  campaignId?: string | null
  callId?: string | null
  /** First the matching deliveries as they now are (the CURRENT_LIMIT newest), then their changes. */
  includeCurrent?: boolean | null
}

/** How many deliveries `includeCurrent` sends as they now are. */
export const CURRENT_LIMIT = 100

/** What ends a subscription with an error its subscriber is told (the resolver throws it). */
export type Interrupted = { interrupted: Error }
export type Streamed = DeliveryUpdate | Interrupted

const interruption = (code: string, message: string): Interrupted => ({ interrupted: refusalError(code, message) })
const MISSED = interruption(
  'UPDATES_MISSED',
  'The service lost its connection to the other instances for a moment, so updates may have gone by: subscribe again with includeCurrent',
)

type Stream = AsyncIterator<Streamed>

/**
 * The delivery-update subscriptions of this process, by API key (or, for an execution graphql-ws
 * shares among a user's keys, by the name it is held under), so a revoked key's end at once and
 * shutdown can end them all. Every key's subscriptions are counted, shared ones included.
 */
export class DeliveryUpdates {
  private readonly open = new Map<string, Set<Stream>>()
  private readonly seats: Seats
  private readonly interrupts = new Map<Stream, () => void>()

  constructor(
    private readonly pubsub: PubSub,
    private readonly stores: Pick<Stores, 'deliveries' | 'campaigns'>,
    private readonly perKey: number,
  ) {
    this.seats = new Seats(perKey)
    pubsub.onResubscribed(() => this.interrupt())
  }

  /**
   * Takes one of a key's subscription seats, or refuses past the limit; the answer gives it back
   * (once). Taken before the first await, so concurrent subscribers cannot all pass the check.
   */
  reserve(keyId: string): () => void {
    const release = this.seats.take(keyId)
    if (!release) throw new AppError('RATE_LIMITED', `At most ${this.perKey} subscriptions may be open at once with one key`)
    return release
  }

  /**
   * The viewer's delivery updates matching the filters (at least one). Ownership of the filtered
   * ids is checked on subscribe; the topic is the viewer's user, so nothing else can arrive. A
   * Repeater, so that ending it (unsubscribe, revocation) releases the topic at once.
   *
   * `sharedAs`: graphql-ws shares this execution among subscribers of the viewer's user and role,
   * each holding its own seat; it is held under that name, not under the key that happened to open it.
   */
  async subscribe(viewer: Viewer, f: UpdateFilters, sharedAs?: string): Promise<AsyncIterableIterator<Streamed>> {
    if (!f.deliveryId && !f.campaignId && !f.callId) throw new ValidationError('Give at least one of deliveryId, campaignId or callId')
    const { userId } = viewer
    const holder = sharedAs ?? viewer.keyId
    const free = sharedAs ? () => undefined : this.reserve(viewer.keyId)
    try {
      if (f.deliveryId && !(await this.stores.deliveries.isOwned(userId, f.deliveryId))) throw new NotFoundError('SMS delivery')
      if (f.campaignId) await this.stores.campaigns.owned(userId, f.campaignId)
    } catch (e) {
      free()
      throw e
    }
    const matches = ({ delivery: d }: DeliveryUpdate) =>
      (!f.deliveryId || d.id === f.deliveryId) && (!f.campaignId || d.campaignId === f.campaignId) && (!f.callId || d.callId === f.callId)
    // Registered after the last await, so the set cannot be dropped from the map in between.
    const mine = this.open.get(holder) ?? new Set<Stream>()
    this.open.set(holder, mine)
    let released = false
    const release = () => {
      if (released) return
      released = true
      this.interrupts.delete(updates)
      mine.delete(updates)
      if (mine.size === 0 && this.open.get(holder) === mine) this.open.delete(holder)
      free()
    }
    const updates: Repeater<Streamed> = new Repeater(async (push, stop) => {
      const topic = this.pubsub.subscribe('delivery:updated', userId)[Symbol.asyncIterator]()
      void stop.then(() => topic.return?.())
      this.interrupts.set(updates, () => void push(MISSED).then(() => stop()))
      try {
        // Listening from the first next(): a change made while the current state is read is not lost.
        const listening = topic.next()
        const seen = f.includeCurrent ? await this.pushCurrent(userId, f, push) : undefined
        if (seen === null) return
        for (let r = await listening; !r.done; r = await topic.next()) if (matches(r.value) && !seen?.(r.value)) await push(r.value)
      } finally {
        release()
        stop()
      }
    })
    mine.add(updates)
    // Ended before its first next() (a cancel or a dropped socket while ownership was read), a
    // Repeater never runs its executor, so the finally above would never give the seat back.
    const end = updates.return.bind(updates)
    updates.return = (value) => {
      release()
      return end(value)
    }
    const fail = updates.throw.bind(updates)
    updates.throw = (error) => {
      release()
      return fail(error)
    }
    return updates
  }

  /**
   * Pushes the matching deliveries as they now are; answers which later updates they already
   * showed (the same status again, or an earlier one arriving late), or null when they could not be read.
   */
  private async pushCurrent(userId: string, f: UpdateFilters, push: (u: Streamed) => Promise<unknown>) {
    let current: DeliveryUpdate[]
    try {
      // With Redis, once the SUBSCRIBE is confirmed: a change published before then would be lost.
      await this.pubsub.listening(`delivery:updated:${userId}`)
      current = (await this.stores.deliveries.current(userId, f, CURRENT_LIMIT)).map((u) => ({ ...u, webhooks: 0 }))
    } catch {
      await push(interruption('TEMPORARILY_UNAVAILABLE', 'The current deliveries could not be read: subscribe again'))
      return null
    }
    const shown = new Map(current.map(({ delivery }) => [delivery.id, delivery.status]))
    for (const u of current) await push(u)
    // Status only moves forward: an update that is not a step past what was shown came before it.
    return ({ delivery, event }: DeliveryUpdate) => {
      const before = shown.get(delivery.id)
      return before !== undefined && !isAfter(event.status, before)
    }
  }

  /** Ends every open subscription with UPDATES_MISSED: its subscriber re-reads what it follows. */
  interrupt(): number {
    const ending = [...this.interrupts.values()]
    for (const end of ending) end()
    return ending.length
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
