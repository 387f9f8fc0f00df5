import { beforeAll, describe, expect, it } from 'vitest'
import type { Json, Run } from '../harness/client.js'

// The agent runtime's side: a tool call handed over as the LLM made it, consent, and the truth
// about delivery while the call lasts; over real HTTP.
const { app, db, mutate, overSocket, sendingSetup, twilio } = await import('./support/helpers.js')

let gql: Run
beforeAll(async () => {
  gql = await overSocket()
})

const CALL = `mutation($input: SmsToolCallInput!) { sendSmsToolCall(input: $input) { __typename
  ... on SendSmsToolCallSuccess { toolResult sent { delivery { id to body status idempotencyKey } } }
  ... on SendSmsError { code message agentMessage recordedDelivery { id status errorCode } } } }`
const PREVIEW = `mutation($input: SmsToolCallInput!) { previewSmsToolCall(input: $input) { __typename
  ... on PreviewSmsToolCallSuccess { toolResult preview { to body } } ... on SendSmsError { code agentMessage } } }`
const caller = { callId: 'call-tc', customerPhoneNumber: '+14155550123' }
let n = 0
const toolCall = (name: string, args: unknown, id = `call_${++n}`) => ({ id, name, arguments: args })

async function setup(action: Record<string, unknown> = {}, deliveryStatusTool = false) {
  const s = await sendingSetup({ name: 'send_details', ...action })
  if (deliveryStatusTool) {
    await mutate(
      'updateCampaign',
      'mutation($id: ID!) { updateCampaign(id: $id, input: { deliveryStatusTool: true }) { __typename } }',
      { id: s.campaignId },
      s.user.key,
    )
  }
  const call = (tc: Json, query = CALL) => gql(query, { input: { campaignId: s.campaignId, call: caller, toolCall: tc } }, s.agent)
  return {
    ...s,
    call: async (tc: Json) => (await call(tc)).data.sendSmsToolCall,
    preview: async (tc: Json) => (await call(tc, PREVIEW)).data.previewSmsToolCall,
  }
}

describe('sendSmsToolCall', () => {
  it('sends what the LLM asked, to the number it chose, with the tool call id as the idempotency key', async () => {
    const s = await setup()
    const args = JSON.stringify({ to: '+14155550177', body: 'Here is the link.' })
    const r = await s.call(toolCall('send_details', args, 'call_abc'))
    expect(r).toMatchObject({
      __typename: 'SendSmsToolCallSuccess',
      sent: { delivery: { to: '+14155550177', body: 'Here is the link.', idempotencyKey: 'call_abc' } },
    })
    expect(r.toolResult).toBe('Text is on its way to the number ending 0177.')
    const again = await s.call(toolCall('send_details', args, 'call_abc'))
    expect(again.sent.delivery.id).toBe(r.sent.delivery.id)
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1)
    // Strict-mode models send null for a parameter they leave out: the caller is texted.
    const toCaller = await s.call(toolCall('send_details', { to: null, body: 'For you.' }))
    expect(toCaller.sent.delivery.to).toBe('+14155550123')
  })

  it('fills a template from the arguments, and refuses what does not match the published schema with a sentence the LLM can act on', async () => {
    const s = await setup({ messageTemplate: 'Hi {{name}}, booked for {{time}}.', recipientPolicy: 'CALLER_ONLY' })
    const ok = await s.call(toolCall('send_details', '{"name":"Ada","time":"7pm"}'))
    expect(ok.sent.delivery.body).toBe('Hi Ada, booked for 7pm.')
    const missing = await s.call(toolCall('send_details', { name: 'Ada' }))
    expect(missing).toMatchObject({ code: 'VALIDATION', agentMessage: 'Call send_details again with its missing parameter: time.' })
    const extra = await s.call(toolCall('send_details', { name: 'Ada', time: '7pm', to: '+14155550177' }))
    expect(extra.agentMessage).toBe('send_details has no parameter to; call it again with only: name, time.')
    const wrongType = await s.call(toolCall('send_details', { name: 'Ada', time: 7 }))
    expect(wrongType.agentMessage).toBe('Call send_details again: time must be text.')
    const notJson = await s.call(toolCall('send_details', '{"name": "Ada", '))
    expect(notJson).toMatchObject({ code: 'VALIDATION', agentMessage: expect.stringContaining('not valid JSON') })
    const unknown = await s.call(toolCall('send_brochure', {}))
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', agentMessage: 'There is no tool named send_brochure; the tools are: send_details.' })
    // A name no LLM API allows is refused as input, before any lookup (PostgreSQL cannot look up a NUL), and not echoed.
    for (const name of ['send\u0000details', 'x'.repeat(300)]) {
      const refused = await s.call(toolCall(name, {}))
      expect(refused).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('name') })
      expect(JSON.stringify(refused)).not.toContain('x'.repeat(300))
    }
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(1)
  })

  it('answers a tool switched off since the agent got its tools with ACTION_DISABLED, recorded, not as an unknown tool', async () => {
    const s = await setup()
    const args = { to: null, body: 'Here is the link.' }
    const before = await s.call(toolCall('send_details', args, 'call_before_off'))
    expect(before.__typename).toBe('SendSmsToolCallSuccess')
    const off = await mutate(
      'updateSmsAction',
      'mutation($id: ID!) { updateSmsAction(id: $id, input: { enabled: false }) { __typename } }',
      { id: s.actionId },
      s.user.key,
    )
    expect(off.__typename).toBe('UpdateSmsActionSuccess')
    const r = await s.call(toolCall('send_details', args))
    expect(r).toMatchObject({
      code: 'ACTION_DISABLED',
      agentMessage: "That text action is switched off; tell the caller you can't send that text right now.",
      recordedDelivery: { status: 'REJECTED', errorCode: 'ACTION_DISABLED' },
    })
    expect(await db.smsDelivery.findUniqueOrThrow({ where: { id: r.recordedDelivery.id } })).toMatchObject({ body: 'Here is the link.' })
    // Whatever its arguments: ones that are not JSON are not a reason to ask the agent to fix them.
    expect((await s.call(toolCall('send_details', '{"body": '))).code).toBe('ACTION_DISABLED')
    // A retry of the tool call made before it was switched off answers what that call did.
    const retried = await s.call(toolCall('send_details', args, 'call_before_off'))
    expect(retried).toMatchObject({ __typename: 'SendSmsToolCallSuccess', sent: { delivery: { id: before.sent.delivery.id } } })
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1)
  })

  it('previews a tool call without sending or storing anything', async () => {
    const s = await setup()
    const p = await s.preview(toolCall('send_details', { to: null, body: 'Just looking.' }))
    expect(p).toMatchObject({ __typename: 'PreviewSmsToolCallSuccess', preview: { to: '+14155550123', body: 'Just looking.' } })
    expect(p.toolResult).toContain('This would text the number ending 0123')
    expect(await db.smsDelivery.count({ where: { userId: s.user.id } })).toBe(0)
  })
})

describe('consent', () => {
  it('refuses a text the caller has not agreed to (recorded, with what to do), and sends it once they have', async () => {
    const s = await setup({ requiresConsent: true })
    const tools = await gql('query($id: ID!) { campaign(id: $id) { agentTools(format: ANTHROPIC) } }', { id: s.campaignId }, s.agent)
    expect(tools.data.campaign.agentTools[0].input_schema.required).toEqual(['body', 'callerAgreed'])
    for (const agreed of [false, undefined]) {
      const r = await s.call(toolCall('send_details', { body: 'Promo!', ...(agreed === undefined ? {} : { callerAgreed: agreed }) }))
      if (agreed === undefined) expect(r.code).toBe('VALIDATION')
      else expect(r).toMatchObject({ code: 'CONSENT_REQUIRED', recordedDelivery: { status: 'REJECTED', errorCode: 'CONSENT_REQUIRED' } })
      expect(r.agentMessage).toMatch(/callerAgreed/)
    }
    const mixed = await s.call(toolCall('send_details', { body: 7, callerAgreed: 'yes' }))
    expect(mixed.agentMessage).toBe('Call send_details again: body must be text; callerAgreed must be true or false.')
    expect((await s.call(toolCall('send_details', { body: 'Promo!', callerAgreed: true }))).__typename).toBe('SendSmsToolCallSuccess')
    expect((await s.send({ body: 'direct' })).code).toBe('CONSENT_REQUIRED')
    expect((await s.send({ body: 'direct', callerAgreed: true })).__typename).toBe('SendSmsSuccess')
  })
})

describe('delivery truth during the call', () => {
  it('answers the delivery-status tool from the real status and Twilio’s error code', async () => {
    const s = await setup({}, true)
    const tools = await gql('query($id: ID!) { campaign(id: $id) { agentTools(format: OPENAI_RESPONSES) } }', { id: s.campaignId }, s.agent)
    expect(tools.data.campaign.agentTools.map((t: Json) => t.name)).toEqual(['send_details', 'check_text_delivery'])
    const status = async () => (await s.call(toolCall('check_text_delivery', '{}'))).toolResult
    expect(await status()).toBe('No text has been sent on this call yet.')
    const sent = await s.call(toolCall('send_details', { to: null, body: 'Your code is 1234.' }))
    expect(await status()).toBe('The text to the number ending 0123 is on its way; it has not been confirmed delivered yet.')
    const sid = (await db.smsDelivery.findUniqueOrThrow({ where: { id: sent.sent.delivery.id } })).providerMessageId as string
    expect(await twilio.statusCallback(sid, 'delivered', {}, { via: app.url })).toBe(200)
    expect(await status()).toBe('The text to the number ending 0123 was delivered.')
    const second = await s.call(toolCall('send_details', { to: '+14155550188', body: 'And the map.' }))
    const sid2 = (await db.smsDelivery.findUniqueOrThrow({ where: { id: second.sent.delivery.id } })).providerMessageId as string
    expect(await twilio.statusCallback(sid2, 'undelivered', { ErrorCode: '30003' }, { via: app.url })).toBe(200)
    const both = await status()
    expect(both).toBe(
      'The text to the number ending 0188 could not be delivered: the phone is unreachable (switched off or out of coverage); offer to read it out or share it another way. The text to the number ending 0123 was delivered.',
    )
    const query = await gql(
      'query($c: ID) { callTextStatus(callId: "call-tc", campaignId: $c) { sentence deliveries { to status } } }',
      { c: s.campaignId },
      s.agent,
    )
    expect(query.data.callTextStatus.sentence).toBe(both)
    expect(query.data.callTextStatus.deliveries).toEqual([
      { to: '+14155550188', status: 'UNDELIVERED' },
      { to: '+14155550123', status: 'DELIVERED' },
    ])
  })

  it('answers a replayed tool call whose text never arrived with what happened, not that it is on its way', async () => {
    const s = await setup()
    const args = { to: null, body: 'Your table is ready.' }
    const first = await s.call(toolCall('send_details', args, 'call_undelivered'))
    const sid = (await db.smsDelivery.findUniqueOrThrow({ where: { id: first.sent.delivery.id } })).providerMessageId as string
    expect(await twilio.statusCallback(sid, 'undelivered', { ErrorCode: '30003' }, { via: app.url })).toBe(200)
    const again = await s.call(toolCall('send_details', args, 'call_undelivered'))
    expect(again.sent.delivery).toMatchObject({ id: first.sent.delivery.id, status: 'UNDELIVERED' })
    expect(again.toolResult).toBe(
      'The text to the number ending 0123 could not be delivered: the phone is unreachable (switched off or out of coverage); offer to read it out or share it another way.',
    )
  })

  it('refuses a call id the database cannot take (a NUL character) with VALIDATION, on the status tool too', async () => {
    const s = await setup({}, true)
    for (const name of ['check_text_delivery', 'send_details']) {
      const input = { campaignId: s.campaignId, call: { ...caller, callId: 'call\u0000nul' }, toolCall: toolCall(name, {}) }
      const r = (await gql(CALL, { input }, s.agent)).data.sendSmsToolCall
      expect(r, name).toMatchObject({ __typename: 'SendSmsError', code: 'VALIDATION' })
      expect(r.message).toContain('call.callId')
    }
  })

  it('is not a tool of a campaign that does not offer it', async () => {
    const s = await setup()
    expect((await s.call(toolCall('check_text_delivery', {}))).code).toBe('NOT_FOUND')
  })
})
