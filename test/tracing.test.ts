import { SpanKind } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { over } from '../harness/client.js'
import { buildApp } from '../src/http/app.js'
import { createServices } from '../src/services.js'
import { clock, config, SEND, sendingSetup, serviceLog, twilio } from './support/helpers.js'

// The service with tracing on, its spans kept in memory; requests over a real socket.
const exporter = new InMemorySpanExporter()
const services = createServices(config, { clock, spanProcessor: new SimpleSpanProcessor(exporter) })
const app = buildApp(services, { port: 0, host: '127.0.0.1' })
const http = over((path, init) => fetch(`${app.url}${path.replace(/^https?:\/\/[^/]+/, '')}`, init))
beforeAll(() => app.start())
afterAll(() => app.stop())

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId
/** The span tree of one trace as indented names, children in start order. */
function tree(traceId: string): string[] {
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
  const ids = new Set(spans.map((s) => s.spanContext().spanId))
  const lines: string[] = []
  const walk = (parent: string | undefined, depth: number) => {
    const children = spans.filter((s) => (parent ? parentOf(s) === parent : !ids.has(parentOf(s) ?? '')))
    children.sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
    for (const c of children) {
      lines.push(`${'  '.repeat(depth)}${c.name}`)
      walk(c.spanContext().spanId, depth + 1)
    }
  }
  walk(undefined, 0)
  return lines
}
const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name)

describe('OpenTelemetry traces', () => {
  it('traces one sendSms from the HTTP request through GraphQL, the database and the Twilio request', async () => {
    const s = await sendingSetup()
    exporter.reset()
    const r = await http(`mutation SendBooking($input: SendSmsInput!) ${SEND.slice(SEND.indexOf('{'))}`, { input: s.input() }, s.agent)
    const delivery = r.data.sendSms.delivery
    await vi.waitFor(() => expect(named('sms.dispatch')).toHaveLength(1))
    const root = named('POST /graphql')[0] as ReadableSpan
    const traceId = root.spanContext().traceId
    expect(root.kind).toBe(SpanKind.SERVER)
    expect(root.attributes['http.response.status_code']).toBe(200)
    const lines = tree(traceId)
    console.log(`span tree of one sendSms:\n${lines.join('\n')}`)
    expect(lines[0]).toBe('POST /graphql')
    expect(lines).toContain('  graphql.mutation SendBooking')
    expect(lines).toContain('    sms.dispatch')
    expect(lines).toContain('      twilio create')
    expect(lines.filter((l) => l.trim().startsWith('db '))).not.toHaveLength(0)
    const create = named('twilio create')[0] as ReadableSpan
    expect(create).toMatchObject({ kind: SpanKind.CLIENT, attributes: { 'http.response.status_code': 201 } })
    expect(create.spanContext().traceId).toBe(traceId)
    // The trace context went to Twilio in the request headers.
    const sent = twilio.messageCreates().find((q) => q.form.get('Body') === s.input().body && q.accountSid === s.account?.sid)
    expect(sent?.traceparent).toContain(traceId)
    // Log lines written inside the trace carry its id.
    const lines2 = serviceLog()
      .split('\n')
      .filter((l) => l.includes(delivery.id))
    expect(lines2.some((l) => l.includes(`"traceId":"${traceId}"`))).toBe(true)
    // The SQL is recorded; its values never are.
    const statements = exporter
      .getFinishedSpans()
      .filter((x) => x.name.startsWith('db '))
      .map((x) => String(x.attributes['db.statement']))
    expect(statements.join('\n')).not.toContain('+14155550123')
  })

  it('traces a status callback, linked to the trace of the send it reports on', async () => {
    const s = await sendingSetup()
    const r = await http(SEND, { input: s.input({ call: { callId: 'traced-callback', customerPhoneNumber: '+14155550123' } }) }, s.agent)
    await vi.waitFor(() => expect(named('sms.dispatch').length).toBeGreaterThan(0))
    const sendTrace = (named('sms.dispatch').at(-1) as ReadableSpan).spanContext().traceId
    exporter.reset()
    expect(await twilio.statusCallback(r.data.sendSms.delivery.providerMessageId, 'delivered', {}, { via: app.url })).toBe(200)
    const callback = named('sms.status_callback')[0] as ReadableSpan
    expect(callback.links.map((l) => l.context.traceId)).toEqual([sendTrace])
    const lines = tree(callback.spanContext().traceId)
    console.log(`span tree of one status callback:\n${lines.join('\n')}`)
    expect(lines[0]).toBe('POST /webhooks/twilio/status')
    expect(lines).toContain('  sms.status_callback')
    expect(lines.slice(lines.indexOf('  sms.status_callback') + 1).some((l) => l.startsWith('    db UPDATE'))).toBe(true)
    expect(callback.spanContext().traceId).not.toBe(sendTrace)
  })

  it('continues a caller’s trace when the request carries a traceparent', async () => {
    const s = await sendingSetup()
    const traceId = 'abcdef0123456789abcdef0123456789'
    await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.agent}`, traceparent: `00-${traceId}-0123456789abcdef-01` },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    })
    await vi.waitFor(() => expect(exporter.getFinishedSpans().some((x) => x.spanContext().traceId === traceId)).toBe(true))
  })
})
