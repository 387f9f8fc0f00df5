import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AgentRuntime, createAgentRuntime, type WatchEnd } from '../../client/index.js'
import { post, type ServerProcess, startServer } from '../../harness/process.js'
import { UPDATES, wsSubscribe } from '../../harness/subscribers.js'
import { SEND, sendingSetup, twilio } from '../support/helpers.js'

// An instance whose Redis subscriber connection drops: what was published meanwhile never arrives,
// so its open subscriptions are told (UPDATES_MISSED), and a resubscription with includeCurrent catches up.
const REDIS_URL = process.env.TEST_REDIS_URL as string
const prefix = `g${randomBytes(4).toString('hex')}`
const env = { REDIS_URL, REDIS_PREFIX: prefix, PUBLIC_URL: 'http://localhost:4000', RECONCILE_INTERVAL_MS: '0' }
const CURRENT = UPDATES.replace('$callId: String)', '$callId: String, $includeCurrent: Boolean)').replace(
  'callId: $callId)',
  'callId: $callId, includeCurrent: $includeCurrent)',
)
let server: ServerProcess
let runtime: AgentRuntime
const redis = new Redis(REDIS_URL)

beforeAll(async () => {
  server = await startServer(env)
})
afterAll(async () => {
  await runtime?.close()
  redis.disconnect()
  server?.proc.kill('SIGKILL')
  await server?.exited
})

/** Drops the instance's subscriber connection, as a network fault would; ioredis reconnects it. */
async function dropSubscriber() {
  const list = (await redis.client('LIST')) as string
  const line = list.split('\n').find((l) => l.includes(` name=${prefix}:subscribe `))
  const id = line && /\bid=(\d+)/.exec(line)?.[1]
  if (!id) throw new Error(`no subscriber connection named ${prefix}:subscribe`)
  await redis.client('KILL', 'ID', id)
}

describe('a dropped Redis subscriber connection', () => {
  it('ends open subscriptions with UPDATES_MISSED; the agent runtime resubscribes and misses no change', async () => {
    const s = await sendingSetup()
    const call = { callId: `gap-${prefix}`, customerPhoneNumber: '+14155550123' }
    const r = await post(server.url, SEND, { input: s.input({ call }) }, s.agent)
    const { id, providerMessageId: sid } = r.data.sendSms.delivery
    const sub = await wsSubscribe(server.url, s.agent, { callId: call.callId, includeCurrent: true }, CURRENT)
    runtime = createAgentRuntime({ url: server.url, key: s.agent })
    const seen: string[] = []
    const ends: WatchEnd[] = []
    runtime.watchCall(
      call.callId,
      (u) => seen.push(`${u.delivery.id === id}:${u.event.status}`),
      (e) => ends.push(e),
    )
    // Each has had the current state: both are subscribed. A change then comes through Redis.
    await vi.waitFor(() => expect(sub.received).toHaveLength(1))
    await vi.waitFor(() => expect(seen).toEqual(['true:QUEUED']))
    await twilio.statusCallback(sid, 'sent', {}, { via: server.url })
    await vi.waitFor(() => expect(sub.received.map((u) => u.data?.smsDeliveryUpdated.event.status)).toEqual(['QUEUED', 'SENT']))
    await vi.waitFor(() => expect(seen).toEqual(['true:QUEUED', 'true:SENT']))
    await dropSubscriber()
    await sub.completed
    expect(sub.received.at(-1)).toMatchObject({ data: null, errors: [{ extensions: { code: 'UPDATES_MISSED' } }] })
    await sub.dispose()
    // Whether the runtime's new subscription reads it or hears it, the change arrives once.
    await twilio.statusCallback(sid, 'delivered', {}, { via: server.url })
    await vi.waitFor(() => expect(seen).toEqual(['true:QUEUED', 'true:SENT', 'true:DELIVERED']))
    expect(ends).toEqual([])
    expect(server.output()).toContain('redis subscriber reconnected')
  })
})
