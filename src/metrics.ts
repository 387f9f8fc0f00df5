import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

/** The Prometheus registry served at /metrics, and the service's own series. */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    duplicateSends: new Counter({
      name: 'sms_duplicate_sends_total',
      help: 'Texts found sent twice (a provider message for a delivery that already had one)',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'webhook_attempts_total',
      help: 'Webhook POSTs by what followed: delivered, retry or failed',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    dbQueries: new Counter({
      name: 'db_queries_total',
      help: 'SQL statements sent to the database (to spot N+1 queries: statements per request must not grow with page size)',
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
