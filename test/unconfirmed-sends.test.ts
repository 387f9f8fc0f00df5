import { beforeAll, describe, expect, it, vi } from 'vitest'
import { Held, SendAttempts, UNCONFIRMED_MAX_MS } from '../src/sms/delivery/attempts.js'
import { InProcessDispatcher } from '../src/sms/delivery/inProcess.js'
import { ProviderFailure } from '../src/sms/providers/types.js'
import type { SmsDelivery } from '../src/stores/deliveries.js'
import { app, clock, config, pendingLike, sendingSetup, services, twilio } from './support/helpers.js'

// One attempt per text, so its attempts run out at the first unanswered one; Twilio is asked again
// a second later.
vi.hoisted(() => {
  process.env.SEND_MAX_ATTEMPTS = '1'
  process.env.SEND_RETRY_BASE_MS = '5'
  process.env.SEND_CONFIRM_AFTER_MS = '1000'
})
beforeAll(() => app.start())

const { deliveries } = services.stores
const createsOf = (body: string) => twilio.messageCreates().filter((q) => q.form?.get('Body') === body)
const messagesOf = (body: string) => [...twilio.messages.values()].filter((m) => m.resource.body === body)
const attempts = () => new SendAttempts({ ...services.stores, ...services, send: config.send })

/** A text saying `body` whose one attempt went unanswered and whose hold has run out: next, Twilio is asked about it. */
async function unconfirmed(body: string, to: string): Promise<SmsDelivery> {
  const sent = await (await sendingSetup()).send({ body: `Before: ${body}`, call: { callId: `call-${to}`, customerPhoneNumber: to } })
  const like = (await deliveries.byId(sent.delivery.id)) as SmsDelivery
  const d = await pendingLike(like, like.callId as string, { body })
  expect(await deliveries.claimAttempt(d, new Date(), new Date(Date.now() - 1))).toBe(true)
  return (await deliveries.byId(d.id)) as SmsDelivery
}

describe('a text whose attempts ran out after one went unanswered', () => {
  it('stays PENDING, so the agent retrying with its key does not text twice; Twilio listing it late is adopted', async () => {
    const s = await sendingSetup()
    const body = 'Your booking reference is QX7.'
    // Twilio takes the create, the connection is cut before its answer, and its list lags for 300 ms:
    // the lookup right after the attempt finds nothing.
    twilio.createFaults.push({ drop: true, unlistedForMs: 300 })
    const first = await s.send({ body, idempotencyKey: 'booking-1' })
    expect(first).toMatchObject({ __typename: 'SendSmsSuccess', delivery: { status: 'PENDING' } })
    // The agent is told it may or may not have gone out, and not to send it again.
    expect(first.agentMessage).toBe(
      "The text to the number ending 0123 isn't confirmed yet: the text service hasn't taken it yet. Don't send it again; check in a moment whether it went out.",
    )
    const again = await s.send({ body, idempotencyKey: 'booking-1' })
    expect(again.delivery?.id).toBe(first.delivery.id)
    const [message] = messagesOf(body)
    await vi.waitFor(
      async () =>
        expect(await deliveries.byId(first.delivery.id)).toMatchObject({ status: 'QUEUED', providerMessageId: message?.resource.sid }),
      { timeout: 5000 },
    )
    expect(createsOf(body)).toHaveLength(1)
  })

  it('fails once Twilio, asked again after the wait, does not hold it, and gives back the call’s one text', async () => {
    const s = await sendingSetup({ maxPerCall: 1 })
    const call = { callId: 'call-never-taken', customerPhoneNumber: '+14155550123' }
    const body = 'Your code is 5521.'
    // A 500 may come from a gateway after Twilio took the text; here Twilio never did.
    twilio.failures.push(500)
    const first = await s.send({ body, call })
    expect(first).toMatchObject({ __typename: 'SendSmsSuccess', delivery: { status: 'PENDING' } })
    // While it waits, another dispatcher (a sweep, another instance) neither asks early nor sends it.
    const other = new SendAttempts({ ...services.stores, ...services, send: config.send })
    expect(await other.run(first.delivery.id)).toBeInstanceOf(Held)
    await vi.waitFor(
      async () => expect(await deliveries.byId(first.delivery.id)).toMatchObject({ status: 'FAILED', errorCode: 'PROVIDER_UNAVAILABLE' }),
      { timeout: 5000 },
    )
    expect(createsOf(body)).toHaveLength(1)
    expect(messagesOf(body)).toHaveLength(0)
    const next = await s.send({ body: 'Your code is 5521, again.', call })
    expect(next).toMatchObject({ __typename: 'SendSmsSuccess', delivery: { status: 'QUEUED' } })
  })

  it('while Twilio cannot be asked, stays PENDING and is asked once per wait, however often sweeps come', async () => {
    const to = '+14155550161'
    const d = await unconfirmed('Asked once per wait.', to)
    const lookups = () => twilio.requests.filter((q) => q.method === 'GET' && q.query.get('To') === to).length
    const { clock: c, logger, tracing } = services
    const sweeping = new InProcessDispatcher({
      attempts: attempts(),
      deliveries,
      clock: c,
      logger,
      tracing,
      sweep: { intervalMs: 20, afterMs: 0 },
    })
    twilio.cutRequests = 1_000_000
    try {
      await sweeping.start()
      // Each failed lookup holds the text a wait longer: three holds seen, two lookups made (each a GET
      // sent twice: a read whose connection is cut is sent once more), perhaps a third begun.
      const holds = new Set<number>()
      await vi.waitFor(
        async () => {
          const row = await deliveries.byId(d.id)
          expect(row?.status).toBe('PENDING')
          holds.add(row?.claimedUntil?.getTime() ?? 0)
          expect(holds.size).toBeGreaterThanOrEqual(3)
        },
        { timeout: 10_000, interval: 20 },
      )
      expect(lookups()).toBeLessThanOrEqual(6)
    } finally {
      twilio.cutRequests = 0
      await sweeping.stop()
    }
  })

  it('a text an earlier (not last) attempt may have reached, which Twilio cannot be asked about, is held a wait: not sent, not swept', async () => {
    const to = '+14155550163'
    const body = 'Asked about before any resend.'
    const d = await unconfirmed(body, to)
    const more = new SendAttempts({ ...services.stores, ...services, send: { ...config.send, maxAttempts: 3 } })
    twilio.cutRequests = 1_000_000
    try {
      expect(await more.run(d.id)).toBeInstanceOf(Held)
    } finally {
      twilio.cutRequests = 0
    }
    const held = await deliveries.byId(d.id)
    expect(held).toMatchObject({ status: 'PENDING', attempts: 1 })
    expect(held?.claimedUntil?.getTime()).toBeGreaterThan(Date.now())
    expect(createsOf(body)).toHaveLength(0)
    // Held texts are not what a sweep takes: they cannot crowd out the stuck ones behind them.
    expect(await deliveries.unsentIds(new Date(), 1000, new Date())).not.toContain(d.id)
  })

  it('after a lookup that failed slowly, holds a whole wait from when it failed, not from when it began', async () => {
    const d = await unconfirmed('Asked after a slow lookup.', '+14155550164')
    const began = Date.now()
    // The lookup fails after longer than the wait (a hung list page): the clock has moved on meanwhile.
    const providers = {
      ...services.providers,
      transportFor: (provider: Parameters<typeof services.providers.transportFor>[0]) => {
        const transport = services.providers.transportFor(provider)
        return Object.assign(Object.create(transport), {
          findExisting: async () => {
            clock.set(new Date(began + 5_000))
            throw new ProviderFailure('transient', 'PROVIDER_UNAVAILABLE', 'no answer')
          },
        })
      },
    }
    try {
      const held = await new SendAttempts({ ...services.stores, ...services, providers, send: config.send }).run(d.id)
      expect(held).toBeInstanceOf(Held)
      expect((held as Held).until.getTime()).toBe(began + 5_000 + config.send.confirmAfterMs)
      expect((await deliveries.byId(d.id))?.claimedUntil?.getTime()).toBe(began + 5_000 + config.send.confirmAfterMs)
    } finally {
      clock.set(undefined)
    }
  })

  it('fails without a retryable code once too old to matter while Twilio still cannot be asked', async () => {
    const to = '+14155550162'
    const d = await unconfirmed('Never confirmed.', to)
    twilio.cutRequests = 1_000_000
    clock.set(new Date(d.createdAt.getTime() + UNCONFIRMED_MAX_MS))
    try {
      expect(await attempts().run(d.id)).toMatchObject({ status: 'FAILED', errorCode: 'PROVIDER_ERROR' })
    } finally {
      clock.set(undefined)
      twilio.cutRequests = 0
    }
  })
})
