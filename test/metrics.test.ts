import { describe, expect, it } from 'vitest'
import { app, clock, gql, SEND, sendingSetup, twilio } from './support/helpers.js'

const scrape = async () => (await app.yoga.fetch('http://localhost/metrics')).text()
/** The value of one series (0 when absent). */
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}
/** "YYMMDDhhmm" in UTC, as Twilio's RawDlrDoneDate. */
const dlrDate = (d: Date) => d.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d).*$/, '$1$2$3$4$5')

describe('GraphQL and business metrics', () => {
  it('counts operations, texts by provider and final status, refusals, provider latency, retries and callback lag', async () => {
    const s = await sendingSetup()
    const before = await scrape()
    twilio.failures.push(503)
    const sent = await gql(`mutation SendBooking($input: SendSmsInput!) ${SEND.slice(SEND.indexOf('{'))}`, { input: s.input() }, s.agent)
    const sid = sent.data.sendSms.delivery.providerMessageId
    const refused = await gql(
      SEND,
      { input: s.input({ smsActionId: 'nope', call: { callId: 'x', customerPhoneNumber: '+14155550123' } }) },
      s.agent,
    )
    expect(refused.data.sendSms.code).toBe('NOT_FOUND')
    await gql('query Forbidden { users { id } }', {}, s.agent)
    clock.set(new Date(Date.now() + 90_000))
    expect(await twilio.statusCallback(sid, 'delivered', { RawDlrDoneDate: dlrDate(new Date()) }, { via: await started() })).toBe(200)
    clock.set(undefined)
    const after = await scrape()
    const grew = (series: string, by = 1) => expect(value(after, series) - value(before, series), series).toBe(by)
    grew('graphql_operation_duration_seconds_count{operation="SendBooking",type="mutation"}')
    grew('graphql_errors_total{operation="Forbidden",type="query",code="FORBIDDEN"}')
    grew('sms_texts_total{provider="TWILIO",status="DELIVERED"}')
    grew('sms_refusals_total{code="NOT_FOUND"}')
    grew('sms_send_retries_total{code="PROVIDER_UNAVAILABLE"}')
    grew('sms_provider_request_duration_seconds_count{provider="twilio",operation="create",outcome="2xx"}')
    grew('sms_provider_request_duration_seconds_count{provider="twilio",operation="create",outcome="5xx"}')
    grew('sms_callback_lag_seconds_count{status="DELIVERED"}')
    // The report was made this minute, read 90 s later: a lag of 90 to 150 s.
    const lag =
      value(after, 'sms_callback_lag_seconds_sum{status="DELIVERED"}') - value(before, 'sms_callback_lag_seconds_sum{status="DELIVERED"}')
    expect(lag).toBeGreaterThanOrEqual(90)
    expect(lag).toBeLessThan(150)
    expect(after).toMatch(/^sms_send_queue_depth \d+$/m)
    expect(after).toMatch(/^graphql_subscriptions_open \d+$/m)
    // Nothing personal in a label: no numbers, no user ids.
    expect(after).not.toContain('+1415')
    expect(after).not.toContain(s.user.id)
  })

  it('keeps operation names to well-formed ones, 200 at most: the rest count as other', async () => {
    const s = await sendingSetup()
    for (let i = 0; i < 220; i++) await gql(`query Op${i} { viewer { id } }`, {}, s.agent)
    await gql('query Évil { viewer { id } }', {}, s.agent).catch(() => undefined)
    const text = await scrape()
    const names = new Set([...text.matchAll(/^graphql_operation_duration_seconds_count\{operation="([^"]+)"/gm)].map((m) => m[1]))
    expect(names.size).toBeLessThanOrEqual(202)
    expect(names.has('other')).toBe(true)
    expect(names.has('Op0')).toBe(true)
  })
})

let base: string | undefined
async function started() {
  if (!base) {
    await app.start()
    base = app.url
  }
  return base
}
