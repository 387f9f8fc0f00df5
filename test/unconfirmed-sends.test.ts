import { beforeAll, describe, expect, it, vi } from 'vitest'
import { Held, SendAttempts } from '../src/sms/delivery/attempts.js'
import { app, config, sendingSetup, services, twilio } from './support/helpers.js'

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

describe('a text whose attempts ran out after one went unanswered', () => {
  it('stays PENDING, so the agent retrying with its key does not text twice; Twilio listing it late is adopted', async () => {
    const s = await sendingSetup()
    const body = 'Your booking reference is QX7.'
    // Twilio takes the create, the connection is cut before its answer, and its list lags for 300 ms:
    // the lookup right after the attempt finds nothing.
    twilio.createFaults.push({ drop: true, unlistedForMs: 300 })
    const first = await s.send({ body, idempotencyKey: 'booking-1' })
    expect(first).toMatchObject({ __typename: 'SendSmsSuccess', delivery: { status: 'PENDING' } })
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
})
