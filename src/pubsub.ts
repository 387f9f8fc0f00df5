import { createRedisEventTarget } from '@graphql-yoga/redis-event-target'
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target'
import { createPubSub } from 'graphql-yoga'
import { config } from './config.js'
import type { SmsDelivery, SmsDeliveryEvent } from './generated/prisma/client.js'
import { redisConnection } from './redis.js'

/** What subscribers receive when a delivery changes status: the row as written, and the event. */
export interface DeliveryUpdate {
  delivery: SmsDelivery
  event: SmsDeliveryEvent
}

type Topics = {
  'delivery:updated': [DeliveryUpdate]
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

/** Typed topics: in-process by default, through Redis (every instance) when REDIS_URL is set. */
export const pubsub = createPubSub<Topics>(
  config.redisUrl
    ? {
        eventTarget: prefixed(
          createRedisEventTarget({
            publishClient: redisConnection('publish'),
            subscribeClient: redisConnection('subscribe'),
          }) as unknown as Target,
          config.queue.prefix,
        ) as unknown as TypedEventTarget<never>,
      }
    : undefined,
)
