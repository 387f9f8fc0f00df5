import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AgentRuntime, createAgentRuntime, ServiceError, type WatchEnd } from '../client/index.js'
import { app, config, createKey, db, mutate, sendingSetup, twilio } from './support/helpers.js'

// The typed client's runtime (client/runtime.ts) against the service over real HTTP and WebSocket.
const runtimes: AgentRuntime[] = []
beforeAll(() => app.start())
afterAll(() => Promise.all(runtimes.map((r) => r.close())))

async function setup() {
  const s = await sendingSetup({ name: 'send_details' })
  const runtime = createAgentRuntime({ url: app.url, key: s.agent })
  runtimes.push(runtime)
  const call = { callId: `call-rt-${runtimes.length}`, customerPhoneNumber: '+14155550123' }
  const handle = (args: unknown, id: string) =>
    runtime.handleToolCall({ campaignId: s.campaignId, call, toolCall: { id, name: 'send_details', arguments: args } })
  return { ...s, runtime, call, handle }
}

describe('createAgentRuntime', () => {
  it('hands back a recorded refusal with its delivery id', async () => {
    const s = await setup()
    const refused = await s.handle({ to: '+442079460000', body: 'Your code is 1234.' }, 'tc_landline')
    expect(refused).toMatchObject({ refused: 'LANDLINE_RECIPIENT', retryable: false })
    const recorded = await db.smsDelivery.findUniqueOrThrow({ where: { id: refused.deliveryId as string } })
    expect(recorded).toMatchObject({ status: 'REJECTED', errorCode: 'LANDLINE_RECIPIENT', callId: s.call.callId })
  })

  it('throws a ServiceError with the HTTP status when the answer is not GraphQL (a body over the limit)', async () => {
    const s = await setup()
    const error = await s.handle('x'.repeat(config.http.maxBodyBytes + 1), 'tc_huge').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect(error).toMatchObject({ status: 413, retryable: false })
  })

  it('throws a ServiceError with the code and whether to retry when the service refuses a request as a whole (a wrong key)', async () => {
    const stranger = createAgentRuntime({ url: app.url, key: 'sk_not_a_key' })
    runtimes.push(stranger)
    const error = await stranger.callStatus('call-wrong-key').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false })
  })

  it('watchCall starts with the call’s texts as they now are, then tells each change once', async () => {
    const s = await setup()
    const sent = await s.send({ call: s.call })
    const { id, providerMessageId: sid } = sent.delivery
    await twilio.statusCallback(sid, 'sent', {}, { via: app.url })
    const seen: string[] = []
    const stop = s.runtime.watchCall(s.call.callId, (u) => seen.push(`${u.delivery.id === id}:${u.event.status}`))
    await vi.waitFor(() => expect(seen).toEqual(['true:SENT']))
    await twilio.statusCallback(sid, 'delivered', {}, { via: app.url })
    await vi.waitFor(() => expect(seen).toEqual(['true:SENT', 'true:DELIVERED']))
    stop()
  })

  it('tells a watch the server refused (too many on one connection) or ended (its key revoked)', async () => {
    const s = await setup()
    const ends: WatchEnd[] = []
    const stops = Array.from({ length: config.limits.subscriptionsPerConnection + 1 }, () =>
      s.runtime.watchCall(
        s.call.callId,
        () => undefined,
        (end) => ends.push(end),
      ),
    )
    await vi.waitFor(() => expect(JSON.stringify(ends)).toContain('RATE_LIMITED'))
    expect(ends).toHaveLength(1)
    for (const stop of stops) stop()
    // Stopped watches say nothing; one the server ends does.
    const ended = new Promise<WatchEnd>((resolve) => s.runtime.watchCall(s.call.callId, () => undefined, resolve))
    const key = await db.apiKey.findFirstOrThrow({ where: { userId: s.user.id, role: 'AGENT' } })
    await mutate('revokeApiKey', 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id: key.id }, s.user.key)
    expect(await ended).toBeDefined()
    expect(ends).toHaveLength(1)
    expect(await createKey(s.user.key, 'AGENT')).toMatch(/^sk_/)
  })
})
