import { SpanKind } from '@opentelemetry/api'
import type { Metrics } from '../metrics.js'
import type { ProviderRequestObserver } from '../sms/providers/twilio/client.js'
import type { Tracing } from './tracing.js'

/** Twilio requests: a client span carrying the trace context in its headers, and their latency by operation and outcome. */
export function providerRequestObserver(metrics: Metrics, tracing: Tracing): ProviderRequestObserver {
  return (operation, send) =>
    tracing.span(
      `twilio ${operation}`,
      { kind: SpanKind.CLIENT, attributes: { 'sms.provider': 'twilio', 'sms.provider.operation': operation } },
      async (span) => {
        const started = performance.now()
        let outcome = 'error'
        try {
          const res = await send(tracing.carrier() ?? {})
          outcome = `${Math.floor(res.statusCode / 100)}xx`
          span?.setAttribute('http.response.status_code', res.statusCode)
          return res
        } finally {
          metrics.providerLatency.observe({ provider: 'twilio', operation, outcome }, (performance.now() - started) / 1000)
        }
      },
    )
}
