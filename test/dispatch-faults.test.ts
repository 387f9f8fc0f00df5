import Twilio from 'twilio'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { Held, SendAttempts } from '../src/sms/delivery/attempts.js'
import { StatusCallbacks } from '../src/sms/delivery/callbacks.js'
import { InProcessDispatcher } from '../src/sms/delivery/inProcess.js'
import { SandboxTransport } from '../src/sms/providers/atlas/sandbox.js'
import { STATUS_CALLBACK_PATH } from '../src/sms/providers/twilio/callback.js'
import type { SmsTransport } from '../src/sms/providers/types.js'
import type { SmsDelivery } from '../src/stores/deliveries.js'
import { app, config, db, pendingLike, sendingSetup, services, twilio } from './support/helpers.js'

// Attempts at the edges of what Twilio answers: a message with the same words as an earlier
// delivery's, an attempt whose answer never came while a callback did, a lookup that fails.
beforeAll(() => app.start())

/** SendAttempts as the service builds them, with `send` settings of the test's own. */
const attemptsWith = (send: { maxAttempts: number; retryBaseMs: number }) =>
  new SendAttempts({ ...services.stores, ...services, send: { ...send, claimMs: 10_000, confirmAfterMs: 1000 } })
const { deliveries } = services.stores

/** Such a delivery saying `body`, whose next create Twilio takes but never answers (the connection is cut). */
async function pendingUnanswered(callId: string, body: string): Promise<SmsDelivery> {
  const sent = await (await sendingSetup()).send({ body: `Before: ${body}` })
  const d = await pendingLike((await deliveries.byId(sent.delivery.id)) as SmsDelivery, callId, { body })
  twilio.createFaults.push({ drop: true })
  return d
}
const createsOf = (body: string) => twilio.messageCreates().filter((q) => q.form?.get('Body') === body)
const messagesOf = (body: string) => [...twilio.messages.values()].filter((m) => m.resource.body === body)

describe('attempts at a provider that does not always answer', () => {
  it('recovering an interrupted attempt never adopts the message of another delivery with the same words', async () => {
    const s = await sendingSetup()
    const body = 'Your table for two is booked.'
    const first = await s.send({ body })
    expect(first.delivery.status).toBe('QUEUED')
    // The second text's attempt was claimed, then the process died before Twilio heard of it (its hold has run out since).
    const second = await pendingLike((await deliveries.byId(first.delivery.id)) as SmsDelivery, 'call-again')
    expect(await deliveries.claimAttempt(second, new Date(), new Date(Date.now() - 1))).toBe(true)
    await attemptsWith({ maxAttempts: 2, retryBaseMs: 10 }).run(second.id)
    const after = await deliveries.byId(second.id)
    expect(after?.status).toBe('QUEUED')
    expect(after?.providerMessageId).not.toBe(first.delivery.providerMessageId)
    expect(createsOf(body)).toHaveLength(2)
  })

  it('a server error after Twilio took the message (a gateway timing out) is asked about before any resend', async () => {
    const s = await sendingSetup()
    const body = 'Your pickup code is 4471.'
    twilio.createFaults.push({ answerStatus: 502 })
    const sent = await s.send({ body, call: { callId: 'call-502', customerPhoneNumber: '+14155550123' } })
    const d = await vi.waitFor(async () => {
      const row = await deliveries.byId(sent.delivery.id)
      expect(row?.providerMessageId).toBeTruthy()
      return row as SmsDelivery
    })
    expect(createsOf(body)).toHaveLength(1)
    expect(messagesOf(body).map((m) => m.resource.sid)).toEqual([d.providerMessageId])
    expect(d.status).toBe('QUEUED')
  })

  it('a callback that came while the last attempt waited for an answer keeps its status: never FAILED after SENT', async () => {
    const body = 'Your receipt is attached.'
    const d = await pendingUnanswered('call-cb', body)
    const running = attemptsWith({ maxAttempts: 1, retryBaseMs: 3000 }).run(d.id)
    const [message] = await vi.waitFor(() => {
      const found = messagesOf(body)
      expect(found).toHaveLength(1)
      return found
    })
    expect(await twilio.statusCallback(message?.resource.sid as string, 'sent', {}, { via: app.url })).toBe(200)
    await running
    expect(await deliveries.byId(d.id)).toMatchObject({ status: 'SENT', providerMessageId: message?.resource.sid })
  })

  it('an attempt left unanswered whose lookup fails is not sent again: recovery adopts it later', async () => {
    const body = 'Your code is 4512.'
    const d = await pendingUnanswered('call-lookup', body)
    const attempts = attemptsWith({ maxAttempts: 3, retryBaseMs: 1000 })
    const running = attempts.run(d.id)
    await vi.waitFor(() => expect(createsOf(body)).toHaveLength(1))
    // The lookup after the unanswered create is the next request Twilio gets: it fails.
    twilio.failures.push(500)
    await running
    expect(createsOf(body)).toHaveLength(1)
    expect(await deliveries.byId(d.id)).toMatchObject({ status: 'PENDING', attempts: 1, providerMessageId: null })
    await attempts.run(d.id)
    const [message] = messagesOf(body)
    expect(await deliveries.byId(d.id)).toMatchObject({ status: 'QUEUED', providerMessageId: message?.resource.sid })
    expect(createsOf(body)).toHaveLength(1)
  })
})

describe('an attempt in flight', () => {
  it('holds its delivery: a second dispatcher meanwhile neither sends it again nor takes it over', async () => {
    const body = 'Sent by one dispatcher only.'
    const sent = await (await sendingSetup()).send({ body: `Before: ${body}` })
    const d = await pendingLike((await deliveries.byId(sent.delivery.id)) as SmsDelivery, 'call-held', { body })
    // Twilio is slow to take the create: the message is not in its list while the first attempt waits.
    twilio.createFaults.push({ acceptAfterMs: 1500 })
    const attempts = attemptsWith({ maxAttempts: 2, retryBaseMs: 10 })
    const first = attempts.run(d.id)
    await vi.waitFor(() => expect(createsOf(body)).toHaveLength(1))
    // A second runner of the same delivery (a job handed on after a lost queue lock, a sweep after
    // Redis came back empty) is told to come back once the hold ends.
    expect(await attempts.run(d.id)).toBeInstanceOf(Held)
    expect(await first).toMatchObject({ status: 'QUEUED' })
    expect(createsOf(body)).toHaveLength(1)
    expect(await deliveries.byId(d.id)).toMatchObject({
      status: 'QUEUED',
      attempts: 1,
      providerMessageId: messagesOf(body)[0]?.resource.sid,
    })
  })

  it('keeps its hold after an unanswered attempt until it has asked the provider: another dispatcher waits', async () => {
    const body = 'Asked about before anyone resends it.'
    const d = await pendingUnanswered('call-unanswered-hold', body)
    const logged = vi.spyOn(services.logger, 'warn')
    const waiting = attemptsWith({ maxAttempts: 2, retryBaseMs: 1500 }).run(d.id)
    // The attempt failed unanswered; this run now waits out its backoff before asking Twilio.
    await vi.waitFor(() =>
      expect(logged.mock.calls.some(([context]) => (context as { deliveryId?: string }).deliveryId === d.id)).toBe(true),
    )
    logged.mockRestore()
    expect((await deliveries.byId(d.id))?.claimedUntil).not.toBeNull()
    await waiting
    expect(await deliveries.byId(d.id)).toMatchObject({ status: 'QUEUED', providerMessageId: messagesOf(body)[0]?.resource.sid })
    expect(createsOf(body)).toHaveLength(1)
  })

  it('a delivery an attempt that died still holds is sent once the hold runs out, with no sweep to find it', async () => {
    const body = 'Sent once the hold ran out.'
    const sent = await (await sendingSetup()).send({ body: `Before: ${body}` })
    const d = await pendingLike((await deliveries.byId(sent.delivery.id)) as SmsDelivery, 'call-died', { body })
    // A process claimed an attempt, holding it for a second, and died before Twilio heard of it.
    expect(await deliveries.claimAttempt(d, new Date(), new Date(Date.now() + 1000))).toBe(true)
    const { clock, logger, tracing } = services
    const attempts = attemptsWith({ maxAttempts: 2, retryBaseMs: 10 })
    const dispatcher = new InProcessDispatcher({ attempts, deliveries, clock, logger, tracing, sweep: { intervalMs: 0, afterMs: 0 } })
    expect(await dispatcher.dispatch(d, { waitMs: 100 })).toMatchObject({ status: 'PENDING', attempts: 1 })
    await vi.waitFor(async () => expect(await deliveries.byId(d.id)).toMatchObject({ status: 'QUEUED', attempts: 2 }), { timeout: 5000 })
    expect(createsOf(body)).toHaveLength(1)
    await dispatcher.stop()
  })

  it('lets go once it failed: another dispatcher may take the next attempt while it waits to retry', async () => {
    const body = 'Handed over after a refusal.'
    const sent = await (await sendingSetup()).send({ body: `Before: ${body}` })
    const d = await pendingLike((await deliveries.byId(sent.delivery.id)) as SmsDelivery, 'call-handover', { body })
    twilio.failures.push(503)
    const slow = attemptsWith({ maxAttempts: 2, retryBaseMs: 2000 })
    const waiting = slow.run(d.id)
    await vi.waitFor(async () => expect(await deliveries.byId(d.id)).toMatchObject({ attempts: 1, claimedUntil: null }))
    expect(await attemptsWith({ maxAttempts: 1, retryBaseMs: 10 }).run(d.id)).toMatchObject({ status: 'QUEUED' })
    expect(await waiting).toBeUndefined()
    expect(createsOf(body)).toHaveLength(2)
    expect(messagesOf(body)).toHaveLength(1)
  })
})

describe('the message id of a delivery', () => {
  it('stays the one recorded first when a later change names another (that one is a duplicate send)', async () => {
    const s = await sendingSetup()
    const sent = await s.send({ body: 'Once only.' })
    const other = `SM${'e'.repeat(32)}`
    const moved = await services.status.move(sent.delivery.id, 'SENT', 'PROVIDER_CALLBACK', { providerMessageId: other })
    expect(moved).toMatchObject({ status: 'SENT', providerMessageId: sent.delivery.providerMessageId })
  })

  it('a callback of a message sent twice does not give its status to the message recorded while it was applied', async () => {
    const s = await sendingSetup()
    const sent = await s.send({ body: 'Before: sent twice.' })
    const d = await pendingLike((await deliveries.byId(sent.delivery.id)) as SmsDelivery, 'call-sent-twice', { body: 'Sent twice.' })
    const [first, second] = [`SM${'1'.repeat(32)}`, `SM${'2'.repeat(32)}`]
    // The callback of the first message reads the delivery with no message yet; the dispatcher then records the second.
    const racing = {
      ...deliveries,
      byId: async (id: string) => {
        const stale = await deliveries.byId(id)
        await services.status.move(id, 'QUEUED', 'DISPATCHER', { providerMessageId: second })
        return stale
      },
    }
    const callbacks = new StatusCallbacks({ ...services, deliveries: racing })
    const query = `?deliveryId=${d.id}`
    const params = { MessageSid: first, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: s.account?.sid ?? '' }
    const signature = Twilio.getExpectedTwilioSignature(
      s.account?.token ?? '',
      `${config.publicUrl}${STATUS_CALLBACK_PATH}${query}`,
      params,
    )
    expect(await callbacks.apply({ params, query, signature, requestId: 'test' })).toBe(200)
    expect(await deliveries.byId(d.id)).toMatchObject({ status: 'QUEUED', providerMessageId: second, errorCode: null })
    expect(await db.duplicateSend.findMany({ where: { deliveryId: d.id } })).toEqual([
      expect.objectContaining({ providerMessageId: first }),
    ])
  })
})

describe('the reconciler', () => {
  it('goes on past deliveries whose status stays as it is, so every stuck one is reached', async () => {
    const s = await sendingSetup()
    // Two older texts Twilio still reports queued (no callback will move them), then one it delivered.
    for (const body of ['Still queued 1.', 'Still queued 2.']) expect((await s.send({ body })).delivery.status).toBe('QUEUED')
    const target = await s.send({ body: 'Delivered, callback lost.' })
    twilio.setStatus(target.delivery.providerMessageId, 'delivered')
    const reached = async () => (await deliveries.byId(target.delivery.id))?.status === 'DELIVERED'
    for (let pass = 0; pass < 20 && !(await reached()); pass++) await services.reconciler.once(0, 2)
    expect(await reached()).toBe(true)
  })
})

describe('the Atlas sandbox', () => {
  it('records the message id when its simulated reports land before the dispatcher records the send', async () => {
    const s = await sendingSetup()
    const sent = await s.send({ body: 'Sandboxed.' })
    const d = await pendingLike((await deliveries.byId(sent.delivery.id)) as SmsDelivery, 'call-sandbox', {
      provider: 'ATLAS',
      sandbox: true,
    })
    const sandbox = new SandboxTransport(0, (id, next, message) => services.status.move(id, next, 'SANDBOX', message), services.logger)
    let sid: string | undefined
    // The reports win the race: the receipt reaches the dispatcher only once they are written.
    const reportsFirst: SmsTransport = {
      send: async (sms) => {
        const receipt = await sandbox.send(sms)
        sid = receipt.providerMessageId
        await vi.waitFor(async () => expect((await deliveries.byId(sms.deliveryId))?.status).toBe('DELIVERED'))
        return receipt
      },
      findExisting: () => sandbox.findExisting(),
      fetchStatus: () => sandbox.fetchStatus(),
    }
    const providers = { ...services.providers, transportFor: () => reportsFirst }
    await new SendAttempts({
      ...services.stores,
      ...services,
      providers,
      send: { maxAttempts: 1, retryBaseMs: 10, claimMs: 10_000, confirmAfterMs: 1000 },
    }).run(d.id)
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/)
    expect(await deliveries.byId(d.id)).toMatchObject({ status: 'DELIVERED', sandbox: true, providerMessageId: sid })
  })
})
