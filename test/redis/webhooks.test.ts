import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { post, type ServerProcess, startServer } from '../../harness/process.js'
import { WebhookReceiver } from '../../harness/webhook-receiver.js'
import { db, mutate, SEND, sendingSetup, twilio } from '../support/helpers.js'

// Two instances as separate processes on one PostgreSQL and one Redis: webhooks go through BullMQ.
const REDIS_URL = process.env.TEST_REDIS_URL as string
const env = {
  REDIS_URL,
  REDIS_PREFIX: `w${randomBytes(4).toString('hex')}`,
  SENDER_RATE_PER_SECOND: '1000',
  SEND_RATE_LIMIT_PER_MINUTE: '100000',
  PUBLIC_URL: 'http://localhost:4000',
  RECONCILE_INTERVAL_MS: '0',
}
let a: ServerProcess
let b: ServerProcess
const receiver = new WebhookReceiver()
const redis = new Redis(REDIS_URL)

beforeAll(async () => {
  ;[a, b] = await Promise.all([startServer(env), startServer(env), receiver.start()])
})
afterAll(async () => {
  redis.disconnect()
  for (const s of [a, b]) s?.proc.kill('SIGKILL')
  await Promise.all([a?.exited, b?.exited, receiver.close()])
})

describe('webhooks across two instances (BullMQ)', () => {
  it('posts each status change once, whichever instance made it, with retries in between', async () => {
    const s = await sendingSetup()
    const created = await mutate(
      'createWebhookEndpoint',
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
        ... on CreateWebhookEndpointSuccess { signingSecret webhookEndpoint { id } } ... on Error { code message } } }`,
      { input: { url: receiver.url, eventTypes: ['QUEUED', 'SENT', 'DELIVERED'] } },
      s.user.key,
    )
    receiver.secret = created.signingSecret
    receiver.answers.push(500, 500, 503)
    const texts = 20
    const sids: string[] = []
    for (let n = 0; n < texts; n++) {
      const input = s.input({ body: `Hook ${n}`, call: { callId: `hook-${n}`, customerPhoneNumber: '+14155550123' } })
      const r = await post(n % 2 ? a.url : b.url, SEND, { input }, s.agent)
      sids.push(r.data.sendSms.delivery.providerMessageId)
    }
    for (const [n, sid] of sids.entries()) {
      expect(await twilio.statusCallback(sid, 'sent', {}, { via: n % 2 ? b.url : a.url })).toBe(200)
      expect(await twilio.statusCallback(sid, 'delivered', {}, { via: n % 2 ? a.url : b.url })).toBe(200)
    }
    const endpointId = created.webhookEndpoint.id
    const events = texts * 3
    await vi.waitFor(async () => expect(await db.webhookMessage.count({ where: { endpointId, status: 'DELIVERED' } })).toBe(events), {
      timeout: 30_000,
      interval: 200,
    })
    const ok = receiver.received.filter((r) => r.verified)
    expect(ok).toHaveLength(receiver.received.length)
    // Three attempts were refused (500, 500, 503) and retried; every other POST is a first delivery.
    expect(receiver.received).toHaveLength(events + 3)
    expect(receiver.ids()).toHaveLength(events)
    const attempts = await db.webhookAttempt.count({ where: { message: { endpointId } } })
    expect(attempts).toBe(events + 3)
    // The posts went through the BullMQ queue the instances share.
    expect(await redis.keys(`${env.REDIS_PREFIX}:webhooks:*`)).not.toEqual([])
    const posted = [a, b].map(
      (p) =>
        p
          .output()
          .split('\n')
          .filter((l) => l.includes('"msg":"webhook attempt"')).length,
    )
    expect((posted[0] ?? 0) + (posted[1] ?? 0)).toBe(events + 3)
  })
})
