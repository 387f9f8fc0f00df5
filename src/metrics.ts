import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The Prometheus registry served at /metrics, and the service's own series. */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  /** What the gauges read when /metrics is scraped; the services set them once built. */
  const probes = { queueDepth: async () => 0, subscriptions: () => 0 }
  return {
    registry,
    probes,
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
    graphqlDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL execution time by operation name (well-formed names, 200 at most; the rest: other) and type',
      labelNames: ['operation', 'type'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'graphql_errors_total',
      help: 'GraphQL errors (not typed refusals) by operation, type and code',
      labelNames: ['operation', 'type', 'code'] as const,
      registers: [registry],
    }),
    providerLatency: new Histogram({
      name: 'sms_provider_request_duration_seconds',
      help: 'Requests to the SMS provider by operation (create, fetch, list…) and outcome (2xx, 4xx, 5xx, error)',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    texts: new Counter({
      name: 'sms_texts_total',
      help: 'Texts that reached a final status (DELIVERED, UNDELIVERED, FAILED, REJECTED), by provider',
      labelNames: ['provider', 'status'] as const,
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'sms_refusals_total',
      help: 'sendSms and previewSms refusals by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    sendRetries: new Counter({
      name: 'sms_send_retries_total',
      help: 'Provider attempts retried after a transient failure, by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    callbackLag: new Histogram({
      name: 'sms_callback_lag_seconds',
      help: 'From the carrier’s delivery report (RawDlrDoneDate, to the minute) to our write, by status',
      labelNames: ['status'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'sms_send_queue_depth',
      help: 'Sends waiting or in progress in this instance (in process) or in the shared queue (BullMQ)',
      registers: [registry],
      async collect() {
        this.set(await probes.queueDepth().catch(() => Number.NaN))
      },
    }),
    compiledDocuments: new Gauge({
      name: 'graphql_compiled_documents',
      help: 'Query documents compiled with graphql-jit in this process (GRAPHQL_COMPILED_QUERIES; at most 500, then new ones run on graphql-js)',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'graphql_subscriptions_open',
      help: 'Open delivery-update subscriptions in this instance',
      registers: [registry],
      collect() {
        this.set(probes.subscriptions())
      },
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
