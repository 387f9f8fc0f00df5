import { describe, expect, it, vi } from 'vitest'

vi.hoisted(() => {
  process.env.SEND_RATE_LIMIT_PER_MINUTE = '3'
  process.env.SANDBOX_DELAY_MS = '300'
})

const { clock, db, gql, sendingSetup, twilio } = await import('./support/helpers.js')

describe('per-user rate limit', () => {
  it('refuses the send past the limit in one minute with RATE_LIMITED, recorded as REJECTED; the next minute sends again', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    const minute = Date.UTC(2026, 2, 1, 10, 0)
    clock.set(new Date(minute + 59_000))
    try {
      for (let n = 0; n < 3; n++) expect((await s.send({ body: `text ${n}` })).__typename).toBe('SendSmsSuccess')
      const refused = await s.send({ body: 'one too many', idempotencyKey: 'tool-call-4' })
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', recorded: { status: 'REJECTED', errorCode: 'RATE_LIMITED' } })
      expect(refused.agentMessage).toContain('wait a minute')
      expect((await s.preview({ body: 'would it go?' })).code).toBe('RATE_LIMITED')
      expect(twilio.messageCreates().filter((r) => r.accountSid === s.account?.sid).length).toBe(3)
      const other = await sendingSetup()
      expect((await other.send()).__typename).toBe('SendSmsSuccess')
      clock.set(new Date(minute + 60_000))
      // Retryable: the same request with the same key goes in the next minute (the refusal stays on record).
      const retried = await s.send({ body: 'one too many', idempotencyKey: 'tool-call-4' })
      expect(retried).toMatchObject({ __typename: 'SendSmsSuccess' })
      expect(await db.smsDelivery.findUniqueOrThrow({ where: { id: refused.recorded.id } })).toMatchObject({ status: 'REJECTED' })
      expect((await s.send({ body: 'a new minute' })).__typename).toBe('SendSmsSuccess')
    } finally {
      clock.set(undefined)
    }
  })
})

describe('Atlas sandbox', () => {
  it('sends nothing, marks the delivery sandbox and drives it QUEUED → SENT → DELIVERED', async () => {
    const s = await sendingSetup({ provider: 'ATLAS', fromNumber: null }, ['ATLAS'])
    const before = twilio.requests.length
    const r = await s.send({ idempotencyKey: 'sandbox-1' })
    expect(r.delivery).toMatchObject({ provider: 'ATLAS', sandbox: true, status: 'QUEUED' })
    expect(r.delivery.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/)
    await vi.waitFor(
      async () => {
        const d = await db.smsDelivery.findUniqueOrThrow({ where: { id: r.delivery.id } })
        expect(d.status).toBe('DELIVERED')
      },
      { timeout: 5000, interval: 50 },
    )
    const events = await gql('query($id: ID!) { smsDelivery(id: $id) { events { status source } } }', { id: r.delivery.id }, s.agent)
    expect(events.data.smsDelivery.events).toEqual([
      { status: 'PENDING', source: 'API' },
      { status: 'QUEUED', source: 'DISPATCHER' },
      { status: 'SENT', source: 'SANDBOX' },
      { status: 'DELIVERED', source: 'SANDBOX' },
    ])
    expect(twilio.requests.length).toBe(before)
  })
})
