import { createRedisEventTarget } from '@graphql-yoga/redis-event-target'
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target'
import { createPubSub as createYogaPubSub } from 'graphql-yoga'
import type { Logger } from '../logger.js'
import type { RedisConnections } from '../redis.js'
import type { Written } from '../stores/deliveries.js'

/** What subscribers receive when a delivery changes status: the row as written, and the event. */
export type DeliveryUpdate = Written

/**
 * Topics keyed by what may see them: a delivery's updates go to its user's topic only, so a
 * subscriber never receives another user's events by construction.
 */
export type Topics = {
  'delivery:updated': [userId: string, update: DeliveryUpdate]
  'apiKey:revoked': [{ keyId: string }]
}

type Listener = ((e: CustomEvent) => void) | { handleEvent(e: CustomEvent): void }
type Target = {
  addEventListener(type: string, l: Listener | null): void
  removeEventListener(type: string, l: Listener | null): void
  dispatchEvent(e: CustomEvent): boolean
}
type LocalTarget = Target & { dispatchHere(e: CustomEvent): void }

/**
 * Namespaces Redis channels with REDIS_PREFIX, so several deployments can share one Redis, and
 * keeps each topic's listeners, so an event can also reach this instance's alone (`dispatchHere`).
 */
function prefixed(inner: Target, prefix: string): LocalTarget {
  const wrapped = new Map<Listener, (e: CustomEvent) => void>()
  const byType = new Map<string, Set<(e: CustomEvent) => void>>()
  return {
    addEventListener(type, listener) {
      if (!listener) return
      const fn = (e: CustomEvent) => {
        const event = new CustomEvent(type, { detail: e.detail })
        typeof listener === 'function' ? listener(event) : listener.handleEvent(event)
      }
      wrapped.set(listener, fn)
      byType.set(type, (byType.get(type) ?? new Set()).add(fn))
      inner.addEventListener(`${prefix}:${type}`, fn)
    },
    removeEventListener(type, listener) {
      const fn = listener && wrapped.get(listener)
      if (fn) {
        inner.removeEventListener(`${prefix}:${type}`, fn)
        byType.get(type)?.delete(fn)
        if (byType.get(type)?.size === 0) byType.delete(type)
      }
      if (listener) wrapped.delete(listener)
    },
    dispatchEvent(event) {
      return inner.dispatchEvent(new CustomEvent(`${prefix}:${event.type}`, { detail: event.detail }))
    },
    dispatchHere(event) {
      for (const fn of byType.get(event.type) ?? []) fn(event)
    },
  }
}

/** The row's dates, written as ISO strings by JSON: read back as Dates, as the in-process topics keep them. */
const DATE_KEYS = new Set(['at', 'createdAt', 'updatedAt', 'deliveredAt', 'claimedUntil'])
const serializer = {
  stringify: (message: unknown) => JSON.stringify(message),
  parse: (message: string) =>
    JSON.parse(message, (key, value) => (DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value)),
}

/**
 * The Redis clients as the event target uses them, with every command's failure logged: the
 * target drops the promises, and one rejected once the connection closed (an update published
 * while the process stops) would end the process. Each channel's SUBSCRIBE is kept, so a listener
 * can wait until Redis confirmed it (`subscribing`).
 */
function answered({ connections, logger }: { connections: RedisConnections; logger: Logger }, resubscribed: () => void) {
  const publisher = connections.open('publish')
  const subscriber = connections.open('subscribe')
  const subscribing = new Map<string, Promise<unknown>>()
  // What was published while the subscriber was away is gone (Redis keeps no pub/sub backlog).
  let dropped = false
  subscriber.on('close', () => {
    dropped = true
  })
  subscriber.on('ready', () => {
    if (!dropped) return
    dropped = false
    resubscribed()
  })
  const logged = (command: string) => (err: Error) => logger.warn({ command, err: err.message }, 'redis pub/sub command failed')
  const clients = {
    publishClient: { publish: (channel: string, message: string) => publisher.publish(channel, message).catch(logged('publish')) },
    subscribeClient: {
      on: (event: 'message', listener: (channel: string, message: string) => void) => subscriber.on(event, listener),
      subscribe: (channel: string) => {
        const confirmed = subscriber.subscribe(channel).catch(logged('subscribe'))
        subscribing.set(channel, confirmed)
        return confirmed
      },
      unsubscribe: (channel: string) => {
        subscribing.delete(channel)
        return subscriber.unsubscribe(channel).catch(logged('unsubscribe'))
      },
    },
    serializer,
  }
  return { args: clients as unknown as Parameters<typeof createRedisEventTarget>[0], subscribing }
}

/**
 * Typed topics: in-process, or through Redis (every instance) when connections are given.
 * `publishHere` reaches this instance's subscribers only, without Redis: what an instance found
 * out for itself (a revocation it read) must not depend on a pub/sub message that may be lost.
 * `onResubscribed` is told when the Redis subscriber came back after a drop: what was published
 * meanwhile never arrives.
 */
export function createPubSub(redis?: { connections: RedisConnections; prefix: string; logger: Logger }) {
  const listeners: (() => void)[] = []
  const onResubscribed = (listener: () => void) => void listeners.push(listener)
  if (!redis) {
    const pubsub = createYogaPubSub<Topics>()
    return Object.assign(pubsub, { publishHere: pubsub.publish, onResubscribed, listening: async (_topic: string) => undefined })
  }
  const resubscribed = () => {
    redis.logger.warn('redis subscriber reconnected: updates published meanwhile were missed; open subscriptions end with UPDATES_MISSED')
    for (const l of listeners) l()
  }
  const { args, subscribing } = answered(redis, resubscribed)
  const target = prefixed(createRedisEventTarget(args) as unknown as Target, redis.prefix)
  /** Resolves once Redis confirmed this instance listens to the topic (e.g. `delivery:updated:<userId>`). */
  const listening = async (topic: string) => void (await subscribing.get(`${redis.prefix}:${topic}`))
  const pubsub = createYogaPubSub<Topics>({ eventTarget: target as unknown as TypedEventTarget<never> })
  const publishHere: typeof pubsub.publish = (topic, ...args) => {
    // As yoga's publish names and fills the event: a topic with an id first is `topic:id`.
    const [first, payload] = args as unknown[]
    const type = payload === undefined ? topic : `${topic}:${first}`
    target.dispatchHere(new CustomEvent(type, { detail: payload === undefined ? first : payload }))
  }
  return Object.assign(pubsub, { publishHere, onResubscribed, listening })
}

export type PubSub = ReturnType<typeof createPubSub>
