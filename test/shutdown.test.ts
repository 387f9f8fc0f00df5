import { afterAll, describe, expect, it, vi } from 'vitest'
import { sseSubscribe, wsSubscribe } from '../harness/subscribers.js'
import { app, db, SEND, sendingSetup, services, twilio } from './support/helpers.js'

afterAll(() => {
  twilio.holdMessages = false
})

describe('graceful shutdown', () => {
  it('completes open subscriptions, finishes the request in flight, then closes', async () => {
    await app.start()
    const s = await sendingSetup()
    const ws = await wsSubscribe(app.url, s.agent, { campaignId: s.campaignId })
    const sse = await sseSubscribe(app.url, s.agent, { campaignId: s.campaignId })
    await vi.waitFor(() => expect(services.updates.size).toBe(2))
    twilio.holdMessages = true
    const inFlight = fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.agent}` },
      body: JSON.stringify({ query: SEND, variables: { input: s.input() } }),
    })
    await vi.waitFor(() => expect(twilio.messageCreates().length).toBe(1))
    const stopped = app.stop()
    const res = await inFlight
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.data.sendSms.delivery.status).toBe('PENDING')
    await ws.completed
    expect(ws.errors).toEqual([])
    expect(await ws.closeCode).toBe(1001)
    await sse.ended
    expect(services.updates.size).toBe(0)
    await stopped
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow()
    // The held request timed out during shutdown; the dispatcher asked Twilio before giving up and
    // adopted the message Twilio had in fact accepted: nothing lost, nothing sent twice.
    const d = await db.smsDelivery.findUniqueOrThrow({ where: { id: body.data.sendSms.delivery.id } })
    const held = [...twilio.messages.values()].find((m) => m.account === s.account)
    expect(d).toMatchObject({ status: 'QUEUED', attempts: 1, providerMessageId: held?.resource.sid })
    expect(twilio.messageCreates()).toHaveLength(1)
  })
})
