import { Redis } from 'ioredis'
import { config } from './config.js'
import { logger } from './logger.js'

const clients: Redis[] = []

/**
 * A new Redis connection (REDIS_URL). BullMQ needs `maxRetriesPerRequest: null`; connections
 * reconnect on their own, and every error is logged, so losing Redis degrades loudly, not silently.
 */
export function redisConnection(role: string): Redis {
  const client = new Redis(config.redisUrl as string, { maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })
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
}

/** Whether Redis answers a PING within a second. */
export async function redisReady(): Promise<boolean> {
  const client = clients[0]
  if (!client) return false
  try {
    return (
      (await Promise.race([client.ping(), new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))])) ===
      'PONG'
    )
  } catch {
    return false
  }
}

/** Closes every Redis connection this process opened. */
export async function closeRedis(): Promise<void> {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())))
}
