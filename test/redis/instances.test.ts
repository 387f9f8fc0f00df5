import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { over } from '../../harness/client.js'
import { freePort } from '../../harness/net.js'
import { post, type ServerProcess, startServer } from '../../harness/process.js'
import { wsSubscribe } from '../../harness/subscribers.js'
import { createKey, db, SEND, sendingSetup, twilio } from '../support/helpers.js'

// Several instances as separate processes on one PostgreSQL and one Redis (the vitest project
// `redis` runs this file whenever both are reachable).
const REDIS_URL = process.env.TEST_REDIS_URL as string
const PUBLIC_URL = 'http://localhost:4000'
const env = {
  REDIS_URL,
  REDIS_PREFIX: `t${randomBytes(4).toString('hex')}`,
  QUEUE_LOCK_MS: '3000',
  SENDER_RATE_PER_SECOND: '1000',
  SEND_RATE_LIMIT_PER_MINUTE: '100000',
  PUBLIC_URL,
  RECONCILE_INTERVAL_MS: '0',
}
const running: ServerProcess[] = []
let a: ServerProcess
let b: ServerProcess

const redis = new Redis(REDIS_URL)
beforeAll(async () => {
  ;[a, b] = await Promise.all([startServer(env), startServer(env)])
  running.push(a, b)
})
afterAll(async () => {
  redis.disconnect()
  twilio.holdMessages = false
  for (const s of running) s.proc.kill('SIGKILL')
  await Promise.all(running.map((s) => s.exited))
})

const callback = (base: string, sid: string, status: string) => twilio.statusCallback(sid, status, {}, { via: base })

describe('two instances on PostgreSQL and Redis', () => {
  it('readiness reports the database and Redis', async () => {
    expect(await (await fetch(`${a.url}/readyz`)).json()).toEqual({ status: 'ok', database: 'ok', redis: 'ok' })
  })

  it('a subscriber on A receives the updates of a send on B and of callbacks posted to either', async () => {
    const s = await sendingSetup()
    const sub = await wsSubscribe(a.url, s.agent, { campaignId: s.campaignId })
    // A's subscription reaches Redis (its user's channel) before the first event is published.
    const channel = `${env.REDIS_PREFIX}:delivery:updated:${s.user.id}`
    await vi.waitFor(async () => expect((await redis.pubsub('NUMSUB', channel))[1]).toBe(1))
    const r = await post(b.url, SEND, { input: s.input() }, s.agent)
    const { id, providerMessageId: sid } = r.data.sendSms.delivery
    expect(await callback(a.url, sid, 'sent')).toBe(200)
    expect(await callback(b.url, sid, 'delivered')).toBe(200)
    await vi.waitFor(
      () => expect(sub.received.map((u) => u.data.smsDeliveryUpdated.event.status)).toEqual(['PENDING', 'QUEUED', 'SENT', 'DELIVERED']),
      { timeout: 10_000 },
    )
    expect(sub.received.every((u) => u.data.smsDeliveryUpdated.delivery.id === id)).toBe(true)
    await sub.dispose()
  })

  it('200 concurrent sends over both instances with 100 keys make 100 deliveries and 100 provider requests', async () => {
    const s = await sendingSetup()
    const sends = Array.from({ length: 200 }, (_, i) => {
      const n = i % 100
      const input = s.input({
        idempotencyKey: `tool-${n}`,
        body: `Text number ${n}`,
        call: { callId: `call-${n}`, customerPhoneNumber: '+14155550123' },
      })
      return post(i % 2 ? a.url : b.url, SEND, { input }, s.agent)
    })
    const results = await Promise.all(sends)
    expect(results.filter((r) => r.data?.sendSms?.__typename !== 'SendSmsSuccess')).toEqual([])
    expect(new Set(results.map((r) => r.data.sendSms.delivery.id)).size).toBe(100)
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(100)
    await vi.waitFor(async () => expect(await db.smsDelivery.count({ where: { userId: s.user.id, status: 'QUEUED' } })).toBe(100), {
      timeout: 30_000,
    })
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(100)
  })

  it('killing an instance with jobs in flight loses none and sends none twice', async () => {
    const s = await sendingSetup()
    const c = await startServer({ ...env, SEND_WAIT_MS: '50' })
    running.push(c)
    twilio.holdMessages = true
    const ids: string[] = []
    for (let n = 0; n < 10; n++) {
      const input = s.input({ body: `In flight ${n}`, call: { callId: `kill-${n}`, customerPhoneNumber: '+14155550123' } })
      ids.push((await post(c.url, SEND, { input }, s.agent)).data.sendSms.delivery.id)
    }
    const mine = () => twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)
    await vi.waitFor(() => expect(mine().length).toBeGreaterThan(0), { timeout: 10_000 })
    c.proc.kill('SIGKILL')
    await c.exited
    twilio.holdMessages = false
    await vi.waitFor(async () => expect(await db.smsDelivery.count({ where: { id: { in: ids }, status: 'QUEUED' } })).toBe(10), {
      timeout: 40_000,
      interval: 250,
    })
    const deliveries = await db.smsDelivery.findMany({ where: { id: { in: ids } } })
    expect(new Set(deliveries.map((d) => d.providerMessageId)).size).toBe(10)
    const bodies = mine().map((q) => q.form.get('Body'))
    expect(bodies).toHaveLength(10)
    expect(new Set(bodies).size).toBe(10)
  })

  it('an instance killed mid-send holds the text: the instance that takes the job over waits out the hold, then adopts it', async () => {
    const s = await sendingSetup()
    // An instance pair of their own (no sweep: only the queue brings the job back), holds of 2 x 5 + 5 s.
    const own = { ...env, REDIS_PREFIX: `t${randomBytes(4).toString('hex')}`, TWILIO_TIMEOUT_MS: '5000', SEND_SWEEP_INTERVAL_MS: '0' }
    const c = await startServer({ ...own, SEND_WAIT_MS: '50' })
    running.push(c)
    const body = 'Held by an instance that died.'
    // Twilio takes the create late: the message is in no list for 12 s, so the next instance finds nothing at first.
    twilio.createFaults.push({ acceptAfterMs: 12_000 })
    const id = (await post(c.url, SEND, { input: s.input({ body }) }, s.agent)).data.sendSms.delivery.id
    const creates = () => twilio.messageCreates().filter((q) => q.form?.get('Body') === body)
    await vi.waitFor(() => expect(creates()).toHaveLength(1), { timeout: 10_000 })
    c.proc.kill('SIGKILL')
    await c.exited
    const d = await startServer(own)
    running.push(d)
    await vi.waitFor(async () => expect(await db.smsDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'QUEUED' }), {
      timeout: 45_000,
      interval: 250,
    })
    const [message] = [...twilio.messages.values()].filter((m) => m.resource.body === body)
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({
      attempts: 1,
      providerMessageId: message?.resource.sid,
    })
    expect(creates()).toHaveLength(1)
    // D itself came back to it once the hold ended (the other instances' sweeps, on their own queue, come later).
    expect(d.output()).toContain('adopted a message sent before a crash')
  }, 90_000)

  it('paces sends per sender, so a burst waits in the queue instead of failing', async () => {
    const s = await sendingSetup()
    const paced = await startServer({
      ...env,
      REDIS_PREFIX: `p${randomBytes(4).toString('hex')}`,
      SENDER_RATE_PER_SECOND: '2',
      SEND_WAIT_MS: '50',
    })
    running.push(paced)
    const ids: string[] = []
    for (let n = 0; n < 6; n++) {
      const input = s.input({ body: `Burst ${n}`, call: { callId: `burst-${n}`, customerPhoneNumber: '+14155550123' } })
      ids.push((await post(paced.url, SEND, { input }, s.agent)).data.sendSms.delivery.id)
    }
    await vi.waitFor(async () => expect(await db.smsDelivery.count({ where: { id: { in: ids }, status: 'QUEUED' } })).toBe(6), {
      timeout: 20_000,
    })
    const times = twilio
      .messageCreates()
      .filter((q) => q.accountSid === s.account?.sid)
      .map((q) => q.at)
    expect(times).toHaveLength(6)
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1000)
    // Atlas is a Messaging Service that queues its own texts (here a sandbox): every user's Atlas texts are not one number's.
    const atlas = await sendingSetup({ provider: 'ATLAS', fromNumber: undefined }, ['ATLAS'])
    const atlasIds = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (n) => {
        const input = atlas.input({ body: `Atlas ${n}`, call: { callId: `atlas-burst-${n}`, customerPhoneNumber: '+14155550123' } })
        return (await post(paced.url, SEND, { input }, atlas.agent)).data.sendSms.delivery.id as string
      }),
    )
    const queuedAt = await vi.waitFor(
      async () => {
        const events = await db.smsDeliveryEvent.findMany({ where: { deliveryId: { in: atlasIds }, status: 'QUEUED' } })
        expect(events).toHaveLength(6)
        return events.map((e) => e.at.getTime())
      },
      { timeout: 5000 },
    )
    // Paced at 2 a second, six would take three one-second windows: the first and last over a second apart.
    expect(Math.max(...queuedAt) - Math.min(...queuedAt)).toBeLessThan(1000)
  })

  it('holds a key’s request budget across instances (kept in Redis)', async () => {
    const pair = await Promise.all([
      startServer({ ...env, KEY_REQUESTS_PER_SECOND: '20' }),
      startServer({ ...env, KEY_REQUESTS_PER_SECOND: '20' }),
    ])
    running.push(...pair)
    const s = await sendingSetup()
    // 15 requests to each instance: within the budget of one (20 a second), not of both together.
    const burst = await Promise.all(pair.flatMap((i) => Array.from({ length: 15 }, () => post(i.url, '{ viewer { id } }', {}, s.agent))))
    const limited = burst.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED')
    expect(limited.length).toBeGreaterThanOrEqual(10)
    expect(burst.filter((r) => r.data?.viewer?.id === s.user.id).length).toBeLessThanOrEqual(20)
  })

  it('ends the subscriptions of a key whose revocation message it missed, once it looks for revoked keys', async () => {
    const s = await sendingSetup()
    const monitor = await createKey(s.user.key, 'MONITOR')
    const sub = await wsSubscribe(a.url, monitor, { campaignId: s.campaignId })
    // Revoked with no message on Redis, as if A's subscriber connection was down when it went out.
    const key = await db.apiKey.findFirstOrThrow({ where: { userId: s.user.id, role: 'MONITOR' } })
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } })
    expect(await sub.closeCode).toBe(4403)
    await sub.completed
  })

  it('readiness reports a lost Redis (503) and recovers when it returns', async () => {
    const port = await freePort()
    const startRedis = () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    let redis: ChildProcess = startRedis()
    const alone = await startServer({ ...env, REDIS_URL: `redis://127.0.0.1:${port}` })
    running.push(alone)
    const ready = async () => {
      const res = await fetch(`${alone.url}/readyz`)
      return [res.status, await res.json()]
    }
    await vi.waitFor(async () => expect(await ready()).toEqual([200, { status: 'ok', database: 'ok', redis: 'ok' }]), { timeout: 10_000 })
    redis.kill('SIGKILL')
    await vi.waitFor(async () => expect(await ready()).toEqual([503, { status: 'unavailable', database: 'ok', redis: 'unreachable' }]), {
      timeout: 10_000,
    })
    expect(alone.output()).toContain('redis connection lost')
    redis = startRedis()
    await vi.waitFor(async () => expect((await ready())[0]).toBe(200), { timeout: 20_000 })
    // Readiness can pass on one connection before another connection's return is logged.
    await vi.waitFor(() => expect(alone.output()).toContain('redis connection back'), { timeout: 20_000 })
    redis.kill('SIGKILL')
  })

  it('answers sendSms and stops while Redis is down; the text goes, once, when Redis is back', async () => {
    const port = await freePort()
    const startRedis = () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    const killRedis = async (r: ChildProcess) => {
      r.kill('SIGKILL')
      if (r.exitCode === null && r.signalCode === null) await new Promise((resolve) => r.once('exit', resolve))
    }
    let redis = startRedis()
    const alone = await startServer({ ...env, REDIS_URL: `redis://127.0.0.1:${port}`, SEND_WAIT_MS: '1000' })
    running.push(alone)
    await vi.waitFor(async () => expect((await fetch(`${alone.url}/readyz`)).status).toBe(200), { timeout: 10_000 })
    const s = await sendingSetup()
    await killRedis(redis)
    // A request that hangs is aborted, and fails the test.
    const send = over((url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(15_000) }), alone.url)
    const r = await send(SEND, { input: s.input({ body: 'Sent once Redis is back.' }) }, s.agent)
    expect(r.data.sendSms.delivery.status).toBe('PENDING')
    const creates = () => twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)
    expect(creates()).toHaveLength(0)
    redis = startRedis()
    await vi.waitFor(
      async () => expect((await db.smsDelivery.findUniqueOrThrow({ where: { id: r.data.sendSms.delivery.id } })).status).toBe('QUEUED'),
      {
        timeout: 20_000,
      },
    )
    expect(creates()).toHaveLength(1)
    // Redis lost again: SIGTERM still ends the process.
    await killRedis(redis)
    alone.proc.kill('SIGTERM')
    expect(await Promise.race([alone.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))])).toBe(0)
    // Every connection error went to the log, none as a bare stack trace on stderr.
    expect(alone.output()).toContain('send queue error')
    expect(alone.output()).not.toMatch(/^\s+at /m)
  }, 90_000)
})
