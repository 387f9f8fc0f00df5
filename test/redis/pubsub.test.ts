import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPubSub } from '../../src/realtime/pubsub.js'
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
})
