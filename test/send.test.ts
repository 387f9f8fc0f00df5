import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { createCipher } from '../src/crypto.js'

// Retries back off from 5 ms: four attempts end well within the send's 3 s wait on any machine.
vi.hoisted(() => {
  process.env.SEND_RETRY_BASE_MS = '5'
})

const { adminToken, clock, db, mutate, sendingSetup, twilio } = await import('./support/helpers.js')

const creates = (accountSid?: string) => twilio.messageCreates().filter((r) => r.accountSid === accountSid)
const UPDATE = `mutation($id: ID!, $input: UpdateSmsActionInput!) { updateSmsAction(id: $id, input: $input) { __typename ... on Error { code } } }`

describe('sendSms through TWILIO', () => {
  it('reaches Twilio with From, To, Body and StatusCallback, and records the message SID', async () => {
    const s = await sendingSetup()
    const r = await s.send({ to: '+14155550188', idempotencyKey: 'tool-1' })
    expect(r.__typename).toBe('SendSmsSuccess')
    const [req] = creates(s.account?.sid)
    expect(Object.fromEntries(req?.form ?? [])).toEqual({
      To: '+14155550188',
      From: '+14155550100',
      Body: 'Your table for two is booked for 7pm.',
      StatusCallback: `http://localhost:4000/webhooks/twilio/status?deliveryId=${r.delivery.id}`,
    })
    const sid = [...twilio.messages.keys()].find((k) => twilio.messages.get(k)?.account === s.account)
    expect(r.delivery).toMatchObject({
      to: '+14155550188',
      status: 'QUEUED',
      providerMessageId: sid,
      provider: 'TWILIO',
      sandbox: false,
      segments: 1,
      encoding: 'GSM7',
    })
    expect(r.delivery.events).toEqual([
      { status: 'PENDING', source: 'API' },
      { status: 'QUEUED', source: 'DISPATCHER' },
    ])
    expect(r.agentMessage).toBe('Text is on its way to the number ending 0188.')
  })

  it('texts the caller by default, and reads a national number in the caller’s country', async () => {
    const s = await sendingSetup()
    expect((await s.send()).delivery.to).toBe('+14155550123')
    expect((await s.send({ to: '(415) 555-0177' })).delivery.to).toBe('+14155550177')
  })

  it('CALLER_ONLY ignores a different `to` and says so', async () => {
    const s = await sendingSetup({ recipientPolicy: 'CALLER_ONLY' })
    const r = await s.send({ to: '+14155550199' })
    expect(r.delivery.to).toBe('+14155550123')
    expect(creates(s.account?.sid).map((q) => q.form.get('To'))).toEqual(['+14155550123'])
    expect(r.agentMessage).toContain('only texts the caller')
    // A caller on a landline: there is no other number this tool could take, so the agent is not told to ask for one.
    const landline = await s.send({ call: { callId: 'call-landline', customerPhoneNumber: '+442079460000' } })
    expect(landline).toMatchObject({ code: 'LANDLINE_RECIPIENT' })
    expect(landline.agentMessage).toContain("can only go to the caller's number")
    expect(landline.agentMessage).not.toContain('ask for')
  })

  it('renders the template with the variables; a missing variable is VALIDATION naming it', async () => {
    const s = await sendingSetup({ messageTemplate: 'Hi {{name}}, your table is booked for {{time}}.' })
    const ok = await s.send({ variables: { name: 'Ada', time: '7pm' }, body: 'ignored' })
    expect(ok.delivery.body).toBe('Hi Ada, your table is booked for 7pm.')
    const missing = await s.send({ variables: { name: 'Ada' } })
    expect(missing).toMatchObject({ __typename: 'SendSmsError', code: 'VALIDATION', message: 'variables missing: time' })
    expect(missing.agentMessage).toContain('time')
    expect(missing.recorded).toMatchObject({ status: 'REJECTED', errorCode: 'VALIDATION' })
  })

  it('counts segments and encoding: GSM-7, 161 characters, emoji', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    const measure = async (body: string) => {
      const r = await s.send({ body })
      return [r.delivery.segments, r.delivery.encoding]
    }
    expect(await measure('Your code is 1234. Reply STOP to opt out.')).toEqual([1, 'GSM7'])
    expect(await measure('a'.repeat(160))).toEqual([1, 'GSM7'])
    expect(await measure('a'.repeat(161))).toEqual([2, 'GSM7'])
    expect(await measure('See you soon 😀')).toEqual([1, 'UCS2'])
    expect(await measure('😀'.repeat(36))).toEqual([2, 'UCS2'])
    const preview = await s.preview({ body: 'a'.repeat(161) })
    expect(preview).toMatchObject({ segments: 2, encoding: 'GSM7' })
  })
})

describe('sendSms refusals', () => {
  it('answers NOT_FOUND unrecorded, and records ACTION_NOT_ATTACHED and ACTION_DISABLED (REJECTED) without sending', async () => {
    const s = await sendingSetup()
    const other = await sendingSetup()
    expect((await s.send({ smsActionId: other.actionId })).code).toBe('NOT_FOUND')
    expect((await s.send({ campaignId: other.campaignId })).code).toBe('NOT_FOUND')
    expect((await s.send({ smsActionId: 'nope' })).code).toBe('NOT_FOUND')
    const c2 = await mutate(
      'createCampaign',
      'mutation { createCampaign(input: {name: "Other"}) { ... on CreateCampaignSuccess { campaign { id } } } }',
      {},
      s.user.key,
    )
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(0)
    const notAttached = await s.send({ campaignId: c2.campaign.id })
    expect(notAttached).toMatchObject({ code: 'ACTION_NOT_ATTACHED', recorded: { status: 'REJECTED', errorCode: 'ACTION_NOT_ATTACHED' } })
    expect(notAttached.agentMessage).toBeTruthy()
    await mutate('updateSmsAction', UPDATE, { id: s.actionId, input: { enabled: false } }, s.user.key)
    const disabled = await s.send({ idempotencyKey: 'while-disabled' })
    expect(disabled).toMatchObject({ code: 'ACTION_DISABLED', recorded: { status: 'REJECTED', to: '+14155550123' } })
    expect(creates(s.account?.sid)).toEqual([])
    expect(await db.smsDelivery.count({ where: { userId: s.user.id, status: 'REJECTED' } })).toBe(2)
    // The owner mends the action: the same request, with its key, goes through.
    await mutate('updateSmsAction', UPDATE, { id: s.actionId, input: { enabled: true } }, s.user.key)
    expect(await s.send({ idempotencyKey: 'while-disabled' })).toMatchObject({
      __typename: 'SendSmsSuccess',
      delivery: { status: 'QUEUED' },
    })
  })

  it('answers PROVIDER_NOT_ENABLED and TWILIO_CREDENTIALS_MISSING', async () => {
    const s = await sendingSetup()
    await mutate('clearTwilioCredentials', 'mutation { clearTwilioCredentials { __typename } }', {}, s.user.key)
    expect((await s.send()).code).toBe('TWILIO_CREDENTIALS_MISSING')
    await mutate(
      'setEnabledProviders',
      'mutation($u: ID!) { setEnabledProviders(userId: $u, providers: [ATLAS]) { __typename } }',
      { u: s.user.id },
      adminToken,
    )
    expect((await s.send()).code).toBe('PROVIDER_NOT_ENABLED')
  })

  it('records recipient and body refusals as REJECTED, without calling Twilio', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    const cases: [Record<string, unknown>, string][] = [
      [{ to: '12345' }, 'INVALID_RECIPIENT'],
      [{ to: '+19005551234' }, 'INVALID_RECIPIENT'],
      [{ to: '+442079460000' }, 'LANDLINE_RECIPIENT'],
      [{ body: 'x'.repeat(1601) }, 'BODY_TOO_LONG'],
      [{ body: '   ' }, 'VALIDATION'],
    ]
    for (const [extra, code] of cases) {
      const r = await s.send(extra)
      expect(r, JSON.stringify(extra)).toMatchObject({
        __typename: 'SendSmsError',
        code,
        recorded: { status: 'REJECTED', errorCode: code },
      })
      expect(r.agentMessage.length).toBeGreaterThan(10)
    }
    expect(creates(s.account?.sid)).toEqual([])
    expect((await s.send({ to: '+442079460000' })).agentMessage).toBe(
      "That number is a landline and can't receive texts; ask for a mobile number.",
    )
  })

  it('caps sends per action per call (CALL_LIMIT_REACHED), per call id', async () => {
    const s = await sendingSetup({ maxPerCall: 2 })
    expect((await s.send()).__typename).toBe('SendSmsSuccess')
    expect((await s.send()).__typename).toBe('SendSmsSuccess')
    const third = await s.send()
    expect(third).toMatchObject({ code: 'CALL_LIMIT_REACHED', recorded: { status: 'REJECTED' } })
    expect((await s.preview()).code).toBe('CALL_LIMIT_REACHED')
    expect((await s.send({ call: { callId: 'call-2', customerPhoneNumber: '+14155550123' } })).__typename).toBe('SendSmsSuccess')
    expect(creates(s.account?.sid).length).toBe(3)
  })

  it('holds the per-call cap under 12 concurrent sends on a fresh call, and a refusal takes no slot', async () => {
    const s = await sendingSetup({ maxPerCall: 3 })
    const call = { callId: 'burst', customerPhoneNumber: '+14155550123' }
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => s.send({ call, body: `text ${i}` })))
    expect(results.filter((r) => r.__typename === 'SendSmsSuccess')).toHaveLength(3)
    expect(results.filter((r) => r.code === 'CALL_LIMIT_REACHED')).toHaveLength(9)
    expect(creates(s.account?.sid).length).toBe(3)
    const counter = await db.usageCounter.findFirstOrThrow({ where: { key: { endsWith: ':burst' } } })
    expect(counter.count).toBe(3)
  })
})

describe('Twilio credentials sealed under another ENCRYPTION_KEY', () => {
  it('refuse sends (recorded REJECTED) and Twilio actions with TWILIO_CREDENTIALS_INVALID, sending nothing', async () => {
    const s = await sendingSetup()
    const other = createCipher(randomBytes(32))
    await db.twilioAccount.update({ where: { userId: s.user.id }, data: { authTokenEnc: other.encrypt('a-token', s.user.id) } })
    const before = await db.smsDelivery.count({ where: { userId: s.user.id } })
    const refused = await s.send({ idempotencyKey: 'sealed-elsewhere' })
    expect(refused).toMatchObject({ __typename: 'SendSmsError', code: 'TWILIO_CREDENTIALS_INVALID', recorded: { status: 'REJECTED' } })
    expect(refused.agentMessage).toBeTruthy()
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(before + 1)
    expect(creates(s.account?.sid).length).toBe(0)
    const action = await mutate(
      'createSmsAction',
      `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) { __typename ... on Error { code } } }`,
      { input: { name: 'Sealed', description: 'd', provider: 'TWILIO', fromNumber: '+14155550100' } },
      s.user.key,
    )
    expect(action).toEqual({ __typename: 'ProviderError', code: 'TWILIO_CREDENTIALS_INVALID' })
  })
})

describe('idempotency', () => {
  it('returns the same delivery for the same key and input; another input is IDEMPOTENCY_CONFLICT', async () => {
    const s = await sendingSetup()
    const first = await s.send({ idempotencyKey: 'call_abc' })
    const again = await s.send({ idempotencyKey: 'call_abc' })
    expect(again.delivery.id).toBe(first.delivery.id)
    const conflict = await s.send({ idempotencyKey: 'call_abc', body: 'Something else' })
    expect(conflict).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', recorded: { id: first.delivery.id } })
    expect((await s.preview({ idempotencyKey: 'call_abc', body: 'Something else' })).code).toBe('IDEMPOTENCY_CONFLICT')
    expect(creates(s.account?.sid).length).toBe(1)
  })

  it('50 concurrent sends with one key make one delivery and one provider request', async () => {
    const s = await sendingSetup()
    const results = await Promise.all(Array.from({ length: 50 }, () => s.send({ idempotencyKey: 'tool-call-xyz' })))
    expect(new Set(results.map((r) => r.delivery?.id)).size).toBe(1)
    expect(results.every((r) => r.__typename === 'SendSmsSuccess')).toBe(true)
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(1)
    expect(creates(s.account?.sid).length).toBe(1)
  })
})

describe("Twilio's errors", () => {
  const mapping: [number, string][] = [
    [21211, 'INVALID_RECIPIENT'],
    [21614, 'LANDLINE_RECIPIENT'],
    [21610, 'OPTED_OUT'],
  ]
  it.each(mapping)('maps %i to %s and fails the delivery with the Twilio code', async (twilioCode, code) => {
    const s = await sendingSetup()
    const to = `+1415555${String(twilioCode).slice(-4)}`
    twilio.recipientErrors.set(to, twilioCode)
    const r = await s.send({ to })
    expect(r).toMatchObject({ __typename: 'SendSmsError', code, recorded: { status: 'FAILED', errorCode: String(twilioCode) } })
  })

  it('learns an opt-out from 21610: the next send is OPTED_OUT without a provider call', async () => {
    const s = await sendingSetup()
    twilio.recipientErrors.set('+14155550166', 21610)
    expect((await s.send({ to: '+14155550166' })).code).toBe('OPTED_OUT')
    const before = creates(s.account?.sid).length
    const next = await s.send({ to: '+14155550166', body: 'another text' })
    expect(next).toMatchObject({ code: 'OPTED_OUT', recorded: { status: 'REJECTED' } })
    expect(creates(s.account?.sid).length).toBe(before)
    expect((await s.preview({ to: '+14155550166' })).code).toBe('OPTED_OUT')
  })

  it('checks opt-outs against the number actually texted and the action’s sender', async () => {
    const s = await sendingSetup({ maxPerCall: 20 })
    const callerOnly = await sendingSetup({ recipientPolicy: 'CALLER_ONLY', maxPerCall: 20 })
    for (const userId of [s.user.id, callerOnly.user.id]) {
      await db.optOut.createMany({
        data: [
          { userId, sender: '+14155550100', phone: '+14155550123', source: 'OWNER' },
          { userId, sender: 'ATLAS', phone: '+14155550177', source: 'OWNER' },
        ],
      })
    }
    expect((await s.send()).code).toBe('OPTED_OUT')
    expect((await s.send({ to: '(415) 555-0123' })).code).toBe('OPTED_OUT')
    expect((await s.send({ to: '+14155550177' })).__typename).toBe('SendSmsSuccess')
    expect((await s.send({ to: '+14155550188' })).__typename).toBe('SendSmsSuccess')
    expect((await callerOnly.send({ to: '+14155550188' })).code).toBe('OPTED_OUT')
    expect((await callerOnly.preview({ to: '+14155550188' })).code).toBe('OPTED_OUT')
  })

  it('maps 20003 (a token rotated at Twilio) to TWILIO_CREDENTIALS_INVALID', async () => {
    const s = await sendingSetup()
    Object.assign(s.account ?? {}, { token: 'e'.repeat(32) })
    expect(await s.send()).toMatchObject({ code: 'TWILIO_CREDENTIALS_INVALID', recorded: { status: 'FAILED', errorCode: '20003' } })
  })

  it('retries a 429 and succeeds on the next answer', async () => {
    const s = await sendingSetup()
    twilio.failures.push(429)
    const r = await s.send()
    expect(r.delivery).toMatchObject({ status: 'QUEUED' })
    expect(twilio.messageCreates().filter((q) => q.form.get('To') === '+14155550123').length).toBeGreaterThanOrEqual(2)
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id: r.delivery.id } })).toMatchObject({ attempts: 2 })
  })

  it('gives up after repeated 503s with PROVIDER_UNAVAILABLE, giving back the call’s one text for the retry', async () => {
    // One text per call: the failed one never went out, so the retry may send it.
    const s = await sendingSetup({ maxPerCall: 1 })
    const before = twilio.messageCreates().length
    twilio.failures.push(503, 503, 503, 503)
    const r = await s.send({ idempotencyKey: 'tool-call-5xx' })
    expect(r).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true, recorded: { status: 'FAILED' } })
    // What the agent is told matches `retryable`: try again, not "it failed".
    expect(r.agentMessage).toContain('try the same tool call again')
    expect(twilio.messageCreates().length - before).toBe(4)
    const stored = await db.smsDelivery.findUniqueOrThrow({ where: { id: r.recorded.id } })
    expect(stored).toMatchObject({ status: 'FAILED', attempts: 4, errorCode: 'PROVIDER_UNAVAILABLE' })
    // A dry run of the same request changes nothing: the failed delivery keeps its key.
    expect((await s.preview({ idempotencyKey: 'tool-call-5xx' })).__typename).toBe('PreviewSmsSuccess')
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id: r.recorded.id } })).toMatchObject({ idempotencyKey: 'tool-call-5xx' })
    // Retryable: the same request with the same key, later, is sent anew; then it replays that one.
    const again = await s.send({ idempotencyKey: 'tool-call-5xx' })
    expect(again).toMatchObject({ __typename: 'SendSmsSuccess', delivery: { status: 'QUEUED' } })
    expect(again.delivery.id).not.toBe(r.recorded.id)
    expect((await s.send({ idempotencyKey: 'tool-call-5xx' })).delivery.id).toBe(again.delivery.id)
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id: r.recorded.id } })).toMatchObject({
      status: 'FAILED',
      idempotencyKey: null,
    })
    expect(twilio.messageCreates().length - before).toBe(5)
  })

  it('gives back the units of the windows it took them in, though the clock moved on while it was stored', async () => {
    const s = await sendingSetup()
    // Every read of the clock is 61 minutes after the one before: the hour turns between any two.
    let at = Date.UTC(2026, 10, 30, 23, 0, 0)
    const ticking = vi.spyOn(clock, 'now').mockImplementation(() => {
      at += 61 * 60_000
      return new Date(at)
    })
    twilio.failures.push(503, 503, 503, 503)
    const r = await s.send({ call: { callId: 'call-ticking', customerPhoneNumber: '+14155550177' } }).finally(() => ticking.mockRestore())
    expect(r).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', recorded: { status: 'FAILED' } })
    const windowed = await db.usageCounter.findMany({
      where: { OR: [{ key: { startsWith: `to:${s.user.id}:` } }, { key: { startsWith: `day:${s.user.id}:` } }] },
    })
    expect(windowed).toHaveLength(3)
    expect(windowed.map((c) => c.count)).toEqual([0, 0, 0])
  })
})

describe('previewSms', () => {
  it('resolves, renders and measures without storing or sending anything', async () => {
    const s = await sendingSetup({ messageTemplate: 'Hi {{name}} 👋' })
    const p = await s.preview({ variables: { name: 'Ada' }, to: '+14155550111' })
    expect(p).toMatchObject({
      __typename: 'PreviewSmsSuccess',
      to: '+14155550111',
      body: 'Hi Ada 👋',
      segments: 1,
      encoding: 'UCS2',
      provider: 'TWILIO',
    })
    expect(p.agentMessage).toContain('number ending 0111')
    expect((await s.preview({ to: '+442079460000', variables: { name: 'A' } })).code).toBe('LANDLINE_RECIPIENT')
    expect((await s.preview({})).code).toBe('VALIDATION')
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(0)
    expect(creates(s.account?.sid)).toEqual([])
  })
})
