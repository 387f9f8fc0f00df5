import { createRedisEventTarget } from '@graphql-yoga/redis-event-target'
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target'
import { createPubSub as createYogaPubSub } from 'graphql-yoga'
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

/** Namespaces Redis channels with REDIS_PREFIX, so several deployments can share one Redis. */
function prefixed(inner: Target, prefix: string): Target {
  const wrapped = new Map<Listener, (e: CustomEvent) => void>()
  return {
    addEventListener(type, listener) {
      if (!listener) return
      const fn = (e: CustomEvent) => {
        const event = new CustomEvent(type, { detail: e.detail })
        typeof listener === 'function' ? listener(event) : listener.handleEvent(event)
      }
      wrapped.set(listener, fn)
      inner.addEventListener(`${prefix}:${type}`, fn)
    },
    removeEventListener(type, listener) {
      const fn = listener && wrapped.get(listener)
      if (fn) inner.removeEventListener(`${prefix}:${type}`, fn)
      if (listener) wrapped.delete(listener)
    },
    dispatchEvent(event) {
      return inner.dispatchEvent(new CustomEvent(`${prefix}:${event.type}`, { detail: event.detail }))
    },
  }
}

/** Typed topics: in-process, or through Redis (every instance) when connections are given. */
export function createPubSub(redis?: { connections: RedisConnections; prefix: string }) {
  if (!redis) return createYogaPubSub<Topics>()
  const target = createRedisEventTarget({
    publishClient: redis.connections.open('publish'),
    subscribeClient: redis.connections.open('subscribe'),
  }) as unknown as Target
  return createYogaPubSub<Topics>({ eventTarget: prefixed(target, redis.prefix) as unknown as TypedEventTarget<never> })
}

export type PubSub = ReturnType<typeof createPubSub>
