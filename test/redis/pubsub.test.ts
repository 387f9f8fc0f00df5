import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPubSub, type DeliveryUpdate, type PubSub } from '../../src/realtime/pubsub.js'
import { createRedisConnections } from '../../src/redis.js'

const REDIS_URL = process.env.TEST_REDIS_URL as string
const lines: string[] = []
const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
const rejections: unknown[] = []
const onRejection = (reason: unknown) => void rejections.push(reason)
afterEach(() => void process.off('unhandledRejection', onRejection))

describe('pub/sub through Redis', () => {
  it('reaches this instance alone with publishHere, and logs a publish after its connections closed instead of rejecting', async () => {
    process.on('unhandledRejection', onRejection)
    const connections = createRedisConnections(REDIS_URL, logger)
    const prefix = `t${randomBytes(4).toString('hex')}`
    const pubsub = createPubSub({ connections, prefix, logger })
    const otherConnections = createRedisConnections(REDIS_URL, logger)
    const other = createPubSub({ connections: otherConnections, prefix, logger })
    const heard = (p: typeof pubsub) => p.subscribe('apiKey:revoked')[Symbol.asyncIterator]()
    const here = heard(pubsub)
    const there = heard(other)
    // A repeater listens from its first next().
    const [nextHere, nextThere] = [here.next(), there.next()]
    pubsub.publishHere('apiKey:revoked', { keyId: 'k1' })
    expect((await nextHere).value).toEqual({ keyId: 'k1' })
    await connections.close()
    pubsub.publish('apiKey:revoked', { keyId: 'k2' })
    await vi.waitFor(() => expect(lines.join('')).toContain('redis pub/sub command failed'))
    expect(rejections).toEqual([])
    // The other instance heard neither: k1 went to this one alone, k2 never left.
    await there.return?.()
    expect(await nextThere).toMatchObject({ done: true })
    await here.return?.()
    await otherConnections.close()
  })

  it('brings a delivery update to another instance with its dates as Dates, once that instance listens', async () => {
    const connections = [createRedisConnections(REDIS_URL, logger), createRedisConnections(REDIS_URL, logger)]
    const prefix = `t${randomBytes(4).toString('hex')}`
    const [here, there] = connections.map((c) => createPubSub({ connections: c, prefix, logger })) as [PubSub, PubSub]
    const heard = there.subscribe('delivery:updated', 'user-1')[Symbol.asyncIterator]()
    const next = heard.next()
    await there.listening('delivery:updated:user-1')
    const at = new Date('2026-12-07T12:00:00.123Z')
    const update = {
      delivery: { id: 'd1', body: '2026-12-07T12:00:00.123Z', createdAt: at, updatedAt: at, deliveredAt: null },
      event: { id: 'e1', status: 'SENT', at },
      webhooks: 0,
    } as unknown as DeliveryUpdate
    here.publish('delivery:updated', 'user-1', update)
    const { value } = await next
    expect(value.event.at).toBeInstanceOf(Date)
    expect(value.event.at.getTime()).toBe(at.getTime())
    expect(value.delivery.updatedAt).toEqual(at)
    // Only the row's date columns: a body that reads like a date stays a string.
    expect(value.delivery.body).toBe('2026-12-07T12:00:00.123Z')
    await heard.return?.()
    await Promise.all(connections.map((c) => c.close()))
  })
})
