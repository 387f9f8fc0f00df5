import { Redis } from 'ioredis'
import { within } from './clock.js'
import type { Logger } from './logger.js'

/** The Redis connections of one process (REDIS_URL): opened on demand, checked, closed together. */
export interface RedisConnections {
  /**
   * A new connection. BullMQ needs `maxRetriesPerRequest: null`; connections reconnect on their
   * own, and every loss is logged, so losing Redis degrades loudly, not silently.
   */
  open(role: string): Redis
  /** Whether Redis answers a PING within a second. */
  ready(): Promise<boolean>
  close(): Promise<void>
}

/** How long stopping waits on Redis (a Redis that is gone never lets a queue close). */
export const REDIS_CLOSE_MS = 5_000

/** Waits for BullMQ queues and workers to close, at most REDIS_CLOSE_MS; says so when Redis kept them from it. */
export async function closeWithinReach(closing: Promise<unknown>, logger: Logger, what: string): Promise<void> {
  if (
    await within(
      closing.then(() => true),
      REDIS_CLOSE_MS,
    ).catch(() => false)
  )
    return
  logger.warn(`redis did not answer while the ${what} closed; its connections are dropped`)
}

/** `name` prefixes each connection's CLIENT name (`<name>:<role>`), so an operator can tell them apart. */
export function createRedisConnections(url: string, logger: Logger, name = 'sms-actions'): RedisConnections {
  const clients: Redis[] = []
  return {
    open(role) {
      const client = new Redis(url, {
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        lazyConnect: false,
        connectionName: `${name}:${role}`,
      })
      let down = false
      client.on('error', (err) => {
        if (!down) logger.error({ role, err: err.message }, 'redis connection lost')
        down = true
      })
      client.on('ready', () => {
        if (down) logger.info({ role }, 'redis connection back')
        down = false
      })
      clients.push(client)
      return client
    },
    async ready() {
      const client = clients[0]
      if (!client) return false
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<string>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), 1000)
      })
      try {
        return (await Promise.race([client.ping(), timeout])) === 'PONG'
      } catch {
        return false
      } finally {
        clearTimeout(timer)
      }
    },
    /** Quits each connection, or drops it when Redis does not answer within a second. */
    async close() {
      const quit = (c: Redis) =>
        within(
          c.quit().catch(() => undefined),
          1000,
        ).finally(() => c.disconnect())
      await Promise.all(clients.map(quit))
    },
  }
}
