import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { over, SEND, serviceClient } from '../../harness/client.js'
import { migrate } from '../../harness/databases.js'
import { post, type ServerProcess, startServer } from '../../harness/process.js'
import { startPostgres, startRedis } from '../../harness/servers.js'

// Two instances on a PostgreSQL and a Redis of this suite's own, which it restarts and stops
// mid-stream: every text that reaches Twilio does so once, and is recorded with its SID and final status.
const twilio = globalThis.__twilio
const PUBLIC_URL = 'http://localhost:4000'
let database: Awaited<ReturnType<typeof startPostgres>>
let redis: Awaited<ReturnType<typeof startRedis>>
const running: ServerProcess[] = []

beforeAll(async () => {
  database = await startPostgres()
  const admin = new pg.Client({ connectionString: database.admin })
  await admin.connect()
  await admin.query('CREATE DATABASE sms')
  await admin.end()
  migrate(database.url)
  redis = await startRedis()
})
afterAll(async () => {
  twilio.releaseHeld()
  for (const s of running) s.proc.kill('SIGKILL')
  await Promise.all(running.map((s) => s.exited))
  await redis?.kill()
  database?.dispose()
})

const prefix = `f${randomBytes(4).toString('hex')}`
async function instance(extra: Record<string, string> = {}) {
  const s = await startServer({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    PUBLIC_URL,
    QUEUE_LOCK_MS: '3000',
    SEND_WAIT_MS: '200',
    SEND_SWEEP_INTERVAL_MS: '1000',
    SEND_SWEEP_AFTER_MS: '2000',
    SENDER_RATE_PER_SECOND: '1000',
    SEND_RATE_LIMIT_PER_MINUTE: '100000',
    RECONCILE_INTERVAL_MS: '0',
    ...extra,
  })
  running.push(s)
  return s
}

/** Rows of the suite's database (a new connection each time: the server comes and goes). */
async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: database.url })
  await c.connect()
  try {
    return (await c.query(text, values)).rows as T[]
  } finally {
    await c.end()
  }
}
const deliveries = (ids: string[]) =>
  query<{ id: string; status: string; providerMessageId: string | null; body: string }>(
    'SELECT "id", "status", "providerMessageId", "body" FROM "SmsDelivery" WHERE "id" = ANY($1) ORDER BY "body"',
    [ids],
  )

/** A user with a Twilio action, set up through instance `on`; and what Twilio accepted for it. */
async function setup(on: ServerProcess) {
  const s = await serviceClient(over(fetch, on.url), { adminToken: process.env.ADMIN_TOKEN as string, twilio }).sendingSetup()
  const accepted = () => [...twilio.messages.values()].filter((m) => m.account === s.account)
  /** Sends `n` texts, alternating between the instances; returns the delivery ids. */
  const sendMany = async (n: number, label: string, via: ServerProcess[]) => {
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const input = s.input({ body: `${label} ${i}`, call: { callId: `${label}-${i}`, customerPhoneNumber: '+14155550123' } })
      const r = await post((via[i % via.length] as ServerProcess).url, SEND, { input }, s.agent)
      expect(r.data?.sendSms?.__typename, JSON.stringify(r)).toBe('SendSmsSuccess')
      ids.push(r.data.sendSms.delivery.id)
    }
    return ids
  }
  /** Each text reached Twilio once, is recorded with that message's SID, and reaches DELIVERED from its callbacks. */
  const deliveredOnce = async (ids: string[], via: ServerProcess) => {
    await vi
      .waitFor(async () => expect((await deliveries(ids)).filter((d) => d.providerMessageId)).toHaveLength(ids.length), {
        timeout: 60_000,
        interval: 200,
      })
      .catch(async (e) => {
        console.log(
          JSON.stringify(await deliveries(ids)),
          running
            .map((p) => p.output())
            .join('\n')
            .slice(-20_000),
        )
        throw e
      })
    const rows = await deliveries(ids)
    const messages = accepted().filter((m) => rows.some((d) => d.body === m.resource.body))
    expect(messages.map((m) => m.resource.body).sort()).toEqual(rows.map((d) => d.body).sort())
    expect(new Set(rows.map((d) => d.providerMessageId))).toEqual(new Set(messages.map((m) => m.resource.sid)))
    for (const m of messages) expect(await twilio.statusCallback(m.resource.sid, 'delivered', {}, { via: via.url })).toBe(200)
    expect((await deliveries(ids)).map((d) => d.status)).toEqual(ids.map(() => 'DELIVERED'))
    expect(await query('SELECT * FROM "DuplicateSend"')).toEqual([])
  }
  return { ...s, accepted, sendMany, deliveredOnce }
}

const seen = (procs: ServerProcess[], msg: string, ids: string[]) => {
  const out = procs.map((p) => p.output()).join('\n')
  return ids.filter((id) => out.split('\n').some((line) => line.includes(msg) && line.includes(id)))
}

describe('exactly once under infrastructure faults (two instances, PostgreSQL + Redis)', () => {
  it('a database restart after Twilio accepted the texts, before their SIDs were written: recorded once each, none resent', async () => {
    const [a, b] = [await instance(), await instance()]
    const s = await setup(a)
    twilio.holdMessages = true
    const ids = await s.sendMany(8, 'Restart', [a, b])
    await vi.waitFor(() => expect(s.accepted()).toHaveLength(8), { timeout: 20_000 })
    database.stop()
    const refused = await post(
      a.url,
      'mutation($input: SendSmsInput!) { sendSms(input: $input) { __typename ... on SendSmsError { code retryable agentMessage } } }',
      { input: s.input({ body: 'During the outage', call: { callId: 'outage', customerPhoneNumber: '+14155550123' } }) },
      s.agent,
    )
    expect(refused.data.sendSms).toMatchObject({ __typename: 'SendSmsError', code: 'TEMPORARILY_UNAVAILABLE', retryable: true })
    expect(refused.data.sendSms.agentMessage).toContain('try the same tool call again')
    expect(twilio.releaseHeld()).toBe(8)
    await vi.waitFor(() => expect(seen([a, b], 'recording it waits for the database', ids)).toHaveLength(8), { timeout: 20_000 })
    const restarted = Date.now()
    database.start()
    await vi.waitFor(async () => expect((await deliveries(ids)).filter((d) => d.status === 'QUEUED')).toHaveLength(8), { timeout: 30_000 })
    console.log(`database restart: every accepted text recorded ${Date.now() - restarted} ms after the database was back`)
    await s.deliveredOnce(ids, b)
    expect(s.accepted()).toHaveLength(8)
  }, 120_000)

  it('a database outage of a few seconds while sends wait to retry (Twilio 429): none stranded, none sent twice', async () => {
    // Each text's retry waits 2 to 4 s after its 429: the database stops in that wait.
    const [a, b] = [await instance({ SEND_RETRY_BASE_MS: '4000' }), await instance({ SEND_RETRY_BASE_MS: '4000' })]
    const s = await setup(a)
    twilio.failFirstAttempts(8, 429)
    const ids = await s.sendMany(8, 'Outage', [a, b])
    await vi.waitFor(() => expect(twilio.firstAttempts.remaining).toBe(0), { timeout: 20_000 })
    database.stop()
    // Whichever step meets the outage: the retry's claim, the queue's job, or recording an accepted text.
    const metOutage = /send job failed|dispatch failed|could not|waits for the database/
    try {
      await vi.waitFor(() => expect([a, b].map((p) => p.output()).join('')).toMatch(metOutage), { timeout: 20_000 })
    } finally {
      database.start()
    }
    const back = Date.now()
    await s.deliveredOnce(ids, a)
    console.log(`database outage: every text sent ${Date.now() - back} ms after the database was back`)
    expect(s.accepted()).toHaveLength(8)
  }, 120_000)

  it('a graceful SIGTERM while sends wait out a Twilio 429 blip: the other instance sends them, once each', async () => {
    const [a, b] = [await instance({ SEND_RETRY_BASE_MS: '4000' }), await instance()]
    const s = await setup(b)
    // Every first attempt meets a 429; A stops while they wait to retry.
    twilio.failFirstAttempts(16, 429)
    const ids = await s.sendMany(16, 'Rolling', [a])
    await vi.waitFor(() => expect(twilio.firstAttempts.remaining).toBeLessThanOrEqual(4), { timeout: 20_000 })
    const stopping = Date.now()
    a.proc.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(a.output()).toContain('shutting down')
    twilio.failFirstAttempts(0, 429)
    await s.deliveredOnce(ids, b)
    console.log(`graceful stop: every text sent ${Date.now() - stopping} ms after SIGTERM`)
    expect(s.accepted()).toHaveLength(16)
    // The restarted instance finds nothing left to send.
    const again = await instance()
    await s.deliveredOnce(ids, again)
    expect(s.accepted()).toHaveLength(16)
  }, 120_000)
})
