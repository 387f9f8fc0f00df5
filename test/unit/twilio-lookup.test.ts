import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TwilioDouble } from '../../harness/twilio-double.js'
import { TwilioClients } from '../../src/sms/providers/twilio/client.js'
import { TwilioTransport } from '../../src/sms/providers/twilio/transport.js'
import type { OutgoingSms } from '../../src/sms/providers/types.js'

// The adoption lookup that runs before any resend, against Twilio's documented list semantics
// (the double's): DateSent filters on the date a message was sent, which a queued message lacks.
const double = new TwilioDouble()
beforeAll(() => double.start())
afterAll(() => double.close())

/** A delivery's text as the transport gets it, from the number the double's accounts hold. */
const outgoing = (to: string, body: string): OutgoingSms => ({
  deliveryId: 'd1',
  userId: 'u1',
  provider: 'TWILIO',
  to,
  fromNumber: '+14155550100',
  body,
  createdAt: new Date(),
})

describe('finding the message an earlier attempt made', () => {
  it('finds a created-but-unsent message that a DateSent filter cannot see, even pages deep', async () => {
    const account = double.addAccount()
    const client = new TwilioClients({ baseUrl: double.url, timeoutMs: 5000 }).for(account.sid, account.token)
    const sms = outgoing('+14155550123', 'The text an earlier attempt sent.')
    const made = await client.messages.create({ to: sms.to, from: '+14155550100', body: sms.body })
    expect(made.status).toBe('queued')
    // Newer messages to the same number push it to the second page of the list.
    for (let n = 0; n < 60; n++) await client.messages.create({ to: sms.to, from: '+14155550100', body: `Other text ${n}` })
    for (let n = 0; n < 30; n++) double.setStatus([...double.messages.keys()].at(-1 - n) as string, 'delivered')
    const sentSince = await client.messages.list({ to: sms.to, from: '+14155550100', dateSentAfter: new Date(Date.now() - 86_400_000) })
    expect(sentSince).toHaveLength(30)
    expect(sentSince.map((m) => m.sid)).not.toContain(made.sid)

    const transport = new TwilioTransport(
      async () => ({ client, from: { from: '+14155550100' } }),
      () => 'http://localhost/cb',
    )
    const none = async () => false
    expect(await transport.findExisting(sms, none)).toEqual({ providerMessageId: made.sid, status: 'QUEUED', sandbox: false })
    const lists = double.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'))
    expect(lists.at(-1)?.query.get('PageToken')).toBe('PA50')
    expect(lists.some((r) => [...r.query.keys()].some((k) => k.startsWith('DateSent')) && r.query.get('PageSize') === '50')).toBe(false)
    expect(await transport.findExisting({ ...sms, body: 'Never sent' }, none)).toBeUndefined()
  })

  it('passes over a message with the same words that another delivery recorded already', async () => {
    const account = double.addAccount()
    const client = new TwilioClients({ baseUrl: double.url, timeoutMs: 5000 }).for(account.sid, account.token)
    const sms = outgoing('+14155550124', 'Your booking is confirmed.')
    const ours = await client.messages.create({ to: sms.to, from: '+14155550100', body: sms.body })
    const theirs = await client.messages.create({ to: sms.to, from: '+14155550100', body: sms.body })
    const transport = new TwilioTransport(
      async () => ({ client, from: { from: '+14155550100' } }),
      () => 'http://localhost/cb',
    )
    const asked: string[] = []
    const taken = (sids: string[]) => async (sid: string) => {
      asked.push(sid)
      return sids.includes(sid)
    }
    expect(await transport.findExisting(sms, taken([theirs.sid]))).toMatchObject({ providerMessageId: ours.sid })
    expect(asked).toEqual([theirs.sid, ours.sid])
    expect(await transport.findExisting(sms, taken([theirs.sid, ours.sid]))).toBeUndefined()
  })
})
