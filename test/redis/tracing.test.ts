import { randomBytes } from 'node:crypto'
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { over } from '../../harness/client.js'
import { buildApp } from '../../src/http/app.js'
import { createServices } from '../../src/services.js'
import { clock, config, SEND, sendingSetup } from '../support/helpers.js'

// With Redis the send runs as a BullMQ job, maybe on another instance: the job carries the trace.
const exporter = new InMemorySpanExporter()
const prefix = `tr${randomBytes(4).toString('hex')}`
const services = createServices(
  { ...config, redisUrl: process.env.TEST_REDIS_URL, queue: { ...config.queue, prefix, senderRatePerSecond: 1000 } },
  { clock, spanProcessor: new SimpleSpanProcessor(exporter) },
)
const app = buildApp(services, { port: 0, host: '127.0.0.1' })
const http = over((path, init) => fetch(`${app.url}${path.replace(/^https?:\/\/[^/]+/, '')}`, init))
beforeAll(() => app.start())
afterAll(() => app.stop())

describe('a send through BullMQ is one trace', () => {
  it('runs the job in the trace of the sendSms that queued it', async () => {
    const s = await sendingSetup()
    const r = await http(SEND, { input: s.input() }, s.agent)
    expect(r.data.sendSms.__typename).toBe('SendSmsSuccess')
    await vi.waitFor(() => expect(exporter.getFinishedSpans().some((x) => x.name === 'twilio create')).toBe(true), { timeout: 10_000 })
    const spans = exporter.getFinishedSpans()
    const root = spans.find((x) => x.name === 'POST /graphql') as ReadableSpan
    const job = spans.find((x) => x.name === 'sms.dispatch') as ReadableSpan
    const create = spans.find((x) => x.name === 'twilio create') as ReadableSpan
    expect(job.attributes['messaging.system']).toBe('bullmq')
    expect(job.spanContext().traceId).toBe(root.spanContext().traceId)
    expect(create.spanContext().traceId).toBe(root.spanContext().traceId)
    expect(create.parentSpanContext?.spanId).toBe(job.spanContext().spanId)
  })
})
