import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { type Authenticate, createAuthenticator } from './auth.js'
import { type Clock, systemClock } from './clock.js'
import type { Config } from './config.js'
import { createCipher } from './crypto.js'
import { createDatabase } from './db/client.js'
import { createLogger, type Logger } from './logger.js'
import { createMetrics } from './metrics.js'
import { DeliveryUpdates } from './realtime/deliveryUpdates.js'
import { createPubSub } from './realtime/pubsub.js'
import { RevocationPoll } from './realtime/revocations.js'
import { createRedisConnections } from './redis.js'
import { ActionSettingsCheck } from './sms/actionSettings.js'
import { ToolCalls } from './sms/agent/toolCalls.js'
import { SendAttempts } from './sms/delivery/attempts.js'
import { StatusCallbacks } from './sms/delivery/callbacks.js'
import type { Dispatcher } from './sms/delivery/dispatcher.js'
import { InProcessDispatcher } from './sms/delivery/inProcess.js'
import { BullDispatcher } from './sms/delivery/queue.js'
import { Reconciler } from './sms/delivery/reconciler.js'
import { DeliveryStatusWriter } from './sms/delivery/status.js'
import { InboundReplies } from './sms/inbound.js'
import { createProviders } from './sms/providers/index.js'
import { TwilioAccountChecks } from './sms/providers/twilio/account.js'
import { TwilioClients } from './sms/providers/twilio/client.js'
import { TwilioCredentialStore } from './sms/providers/twilio/credentials.js'
import { Sending } from './sms/sending/sendSms.js'
import { createStores } from './stores/index.js'
import { providerRequestObserver } from './telemetry/provider.js'
import { statementObserver } from './telemetry/statements.js'
import { createTracing } from './telemetry/tracing.js'
import { WebhookAttempts } from './webhooks/attempts.js'
import { BullWebhooks, InProcessWebhooks, type WebhookDispatch } from './webhooks/dispatch.js'
import { WebhookRetention } from './webhooks/retention.js'

/** What tests and tools may replace when they build the services. */
export interface Overrides {
  clock?: Clock
  logger?: Logger
  /** Wraps the dispatcher the configuration chose (e.g. to hold sends in a crash test). */
  dispatcher?: (chosen: Dispatcher) => Dispatcher
  /** Where spans go (a test's in-memory exporter); tracing is on when given. */
  spanProcessor?: SpanProcessor
}

/**
 * Builds every dependency of the service once, from the configuration: nothing is built as a
 * side effect of an import. `close()` releases what they hold (in-flight sends end first).
 */
export function createServices(config: Config, overrides: Overrides = {}) {
  const clock = overrides.clock ?? systemClock
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, file: config.logFile })
  const metrics = createMetrics()
  const tracing = createTracing({ ...config.otel, processor: overrides.spanProcessor })
  const { db, dialect } = createDatabase(config.databaseUrl, statementObserver(metrics, tracing, config.databaseUrl))
  const stores = createStores(db, dialect)
  const redis = config.redisUrl ? createRedisConnections(config.redisUrl, logger, config.queue.prefix) : undefined
  const pubsub = createPubSub(redis && { connections: redis, prefix: config.queue.prefix, logger })
  const cipher = createCipher(config.encryptionKey, config.previousEncryptionKeys)
  const credentials = new TwilioCredentialStore(stores.accounts, cipher)
  const webhookAttempts = new WebhookAttempts({ webhooks: stores.webhooks, cipher, clock, logger, metrics, settings: config.webhooks })
  const webhookDeps = { webhooks: stores.webhooks, attempts: webhookAttempts, clock, logger, ...config.webhooks }
  const webhooks: WebhookDispatch = redis
    ? new BullWebhooks(webhookDeps, { connections: redis, prefix: config.queue.prefix })
    : new InProcessWebhooks(webhookDeps)
  const webhookRetention = new WebhookRetention({ webhooks: stores.webhooks, clock, logger, retentionMs: config.webhooks.retentionMs })
  const twilioClients = new TwilioClients({
    baseUrl: config.twilioApiBaseUrl,
    timeoutMs: config.twilioTimeoutMs,
    observe: providerRequestObserver(metrics, tracing),
  })
  const status = new DeliveryStatusWriter({ deliveries: stores.deliveries, pubsub, webhooks, metrics, clock, logger })
  const providers = createProviders({
    config,
    clients: twilioClients,
    credentials,
    logger,
    // Like a callback: a message's report does not move a delivery that holds another message.
    report: (deliveryId, next, message) => status.move(deliveryId, next, 'SANDBOX', { ...message, forMessage: message.providerMessageId }),
  })
  const attempts = new SendAttempts({ ...stores, status, providers, clock, logger, metrics, send: config.send })
  const dispatchDeps = { attempts, deliveries: stores.deliveries, sweep: config.sweep, tracing, clock, logger }
  const chosen: Dispatcher = redis
    ? new BullDispatcher({ ...dispatchDeps, redis, queue: config.queue, sendMs: config.send.claimMs })
    : new InProcessDispatcher(dispatchDeps)
  const dispatcher = overrides.dispatcher?.(chosen) ?? chosen
  metrics.probes.queueDepth = () => dispatcher.depth()
  const reconciler = new Reconciler({ ...stores, status, providers, clock, logger, reconcile: config.reconcile })
  // Without Redis another process (the CLI) can only write the row; with it, the event it publishes can still be lost.
  const revocations = new RevocationPoll({ accounts: stores.accounts, pubsub, clock, logger, everyMs: config.revocationPollMs })
  const twilioChecks = new TwilioAccountChecks(twilioClients)
  const authenticate: Authenticate = createAuthenticator(config.adminToken, stores.accounts)
  const sending = new Sending({
    stores,
    metrics,
    tracing,
    credentials,
    status,
    dispatcher,
    clock,
    send: config.send,
    textLimits: config.textLimits,
    refusalsRecordedPerMinute: config.limits.refusalsRecordedPerMinute,
    sandboxed: (provider) => providers.sandboxed(provider),
  })
  const updates = new DeliveryUpdates(pubsub, stores, config.limits.subscriptionsPerKey)
  metrics.probes.subscriptions = () => updates.size
  return {
    config,
    clock,
    logger,
    metrics,
    tracing,
    db,
    dialect,
    stores,
    redis,
    pubsub,
    authenticate,
    cipher,
    credentials,
    webhooks,
    webhookRetention,
    twilioChecks,
    actionSettings: new ActionSettingsCheck({ accounts: stores.accounts, credentials, checks: twilioChecks }),
    status,
    providers,
    dispatcher,
    reconciler,
    revocations,
    sending,
    toolCalls: new ToolCalls({ stores, sending }),
    inbound: new InboundReplies({ optOuts: stores.optOuts, credentials, config, logger }),
    callbacks: new StatusCallbacks({ deliveries: stores.deliveries, status, credentials, config, clock, metrics, tracing, logger }),
    updates,
    /** Stops background work and closes connections: in-flight sends end first. */
    async close() {
      await reconciler.stop()
      revocations.stop()
      await dispatcher.stop()
      await webhooks.stop()
      await webhookRetention.stop()
      providers.stop()
      await redis?.close()
      await db.$disconnect()
      await tracing.shutdown()
    },
  }
}

export type Services = ReturnType<typeof createServices>
