import {
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base'

export interface SpanOptions {
  attributes?: Record<string, string | number | boolean | undefined>
  /** The parent (default: the active span). */
  parent?: Context
  links?: Link[]
  kind?: SpanKind
}

/** A carrier of trace context: W3C traceparent (and tracestate) headers. */
export type TraceCarrier = Record<string, string>

/**
 * The service's tracing: a tracer of its own provider when OTEL_EXPORTER_OTLP_ENDPOINT is set (or a
 * test hands a span processor), otherwise none, and every helper below does nothing.
 */
export interface Tracing {
  readonly tracer?: Tracer
  /** Runs `work` in a new span (child of the active one, or of `parent`); records a throw. */
  span<T>(name: string, opts: SpanOptions, work: (span?: Span) => Promise<T>): Promise<T>
  /** The active context as a carrier, to hand to another process (a queue job, an HTTP request). */
  carrier(): TraceCarrier | undefined
  /** The context a carrier holds, to continue its trace here. */
  contextOf(carrier: TraceCarrier | undefined): Context | undefined
  /** A link to the span a carrier names (a callback to the send it reports on). */
  linkTo(carrier: TraceCarrier | undefined): Link[]
  shutdown(): Promise<void>
}

const propagator = new W3CTraceContextPropagator()
let contextManagerSet = false

export function createTracing(opts: { endpoint?: string; serviceName: string; processor?: SpanProcessor }): Tracing {
  const processor =
    opts.processor ?? (opts.endpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.endpoint}/v1/traces` })) : undefined)
  if (!processor) return disabled
  if (!contextManagerSet) {
    // Spans follow the async work that made them; registered once per process, only when tracing is on.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    contextManagerSet = true
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [processor],
  })
  const tracer = provider.getTracer('sms-actions')
  return {
    tracer,
    span: (name, { attributes, parent, links, kind }, work) =>
      tracer.startActiveSpan(name, { attributes, links, kind }, parent ?? context.active(), async (span) => {
        try {
          return await work(span)
        } catch (err) {
          span.recordException(err as Error)
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
          throw err
        } finally {
          span.end()
        }
      }),
    carrier() {
      const carrier: TraceCarrier = {}
      propagator.inject(context.active(), carrier, defaultTextMapSetter)
      return carrier.traceparent ? carrier : undefined
    },
    contextOf: (carrier) => (carrier ? propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : undefined),
    linkTo(carrier) {
      const spanContext = carrier && trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter))
      return spanContext ? [{ context: spanContext }] : []
    },
    shutdown: () => provider.shutdown(),
  }
}

const disabled: Tracing = {
  span: (_name, _opts, work) => work(undefined),
  carrier: () => undefined,
  contextOf: () => undefined,
  linkTo: () => [],
  shutdown: async () => undefined,
}

/** The trace and span ids of the active span, for log lines. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan()
  if (!span) return undefined
  const { traceId, spanId } = span.spanContext()
  return { traceId, spanId }
}
