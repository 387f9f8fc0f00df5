import { afterAll, describe, expect, it, vi } from 'vitest'
import { post, type ServerProcess, startServer } from '../harness/process.js'
import { db, SEND, sendingSetup, twilio } from './support/helpers.js'

const running: ServerProcess[] = []
afterAll(async () => {
  for (const s of running) s.proc.kill('SIGKILL')
  await Promise.all(running.map((s) => s.exited))
})
const start = async (env: Record<string, string> = {}, script?: string) => {
  const s = await startServer(env, script)
  running.push(s)
  return s
}
const kill = async (s: ServerProcess) => {
  s.proc.kill('SIGKILL')
  await s.exited
}
const waitForStatus = (id: string, status: string) =>
  vi.waitFor(
    async () => {
      expect((await db.smsDelivery.findUniqueOrThrow({ where: { id } })).status).toBe(status)
    },
    { timeout: 20_000, interval: 100 },
  )

describe('a server killed with SIGKILL', () => {
  it('between persisting and dispatching: the restart sends exactly once', async () => {
    const s = await sendingSetup()
    const a = await start({ SEND_WAIT_MS: '100' }, 'test/support/held-dispatch-server.ts')
    const r = await post(a.url, SEND, { input: s.input({ idempotencyKey: 'crash-1' }) }, s.agent)
    expect(r.data.sendSms.delivery.status).toBe('PENDING')
    const id = r.data.sendSms.delivery.id
    await kill(a)
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(0)
    const b = await start()
    await waitForStatus(id, 'QUEUED')
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1)
    const replay = await post(b.url, SEND, { input: s.input({ idempotencyKey: 'crash-1' }) }, s.agent)
    expect(replay.data.sendSms.delivery.id).toBe(id)
    await kill(b)
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1)
  })

  it('while Twilio held the request: the restart adopts the message instead of sending it again', async () => {
    const s = await sendingSetup()
    twilio.holdMessages = true
    const a = await start({ SEND_WAIT_MS: '100' })
    const r = await post(a.url, SEND, { input: s.input() }, s.agent)
    const id = r.data.sendSms.delivery.id
    await vi.waitFor(() => expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1), {
      timeout: 10_000,
    })
    await kill(a)
    twilio.holdMessages = false
    const held = [...twilio.messages.values()].find((m) => m.account === s.account)
    expect((await db.smsDelivery.findUniqueOrThrow({ where: { id } })).attempts).toBe(1)
    await start()
    await waitForStatus(id, 'QUEUED')
    const d = await db.smsDelivery.findUniqueOrThrow({ where: { id }, include: { events: true } })
    expect(d.providerMessageId).toBe(held?.resource.sid)
    expect(d.events.map((e) => e.source)).toEqual(['API', 'RECONCILER'])
    expect(twilio.messageCreates().filter((q) => q.accountSid === s.account?.sid)).toHaveLength(1)
  })
})
