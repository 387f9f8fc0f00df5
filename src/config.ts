import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { databaseKind } from './db/url.js'

/** A configuration problem: the message names the variable and what is wrong with it. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

// A scheme is required: "sms.example.com:443" parses as a URL whose scheme is "sms.example.com".
const url = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://sms.example.com' })
  .refine((u) => !/[?#]/.test(u), 'must not hold a query or a fragment')
  .transform((u) => u.replace(/\/+$/, ''))
const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback)
const flag = (fallback?: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .transform((v) => v ?? fallback)
const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins such as https://app.example.com' })))
const base64Key = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')

const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z
    .string()
    .default('file:./data/sms.db')
    .superRefine((v, ctx) => {
      try {
        databaseKind(v)
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^DATABASE_URL /, '') })
      }
    }),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.url().optional(),
  ENCRYPTION_KEY: base64Key.optional(),
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(base64Key))
    .default([]),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TWILIO_API_BASE_URL: url.default('https://api.twilio.com'),
  TWILIO_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  ATLAS_TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits')
    .optional(),
  ATLAS_TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  ATLAS_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG + 32 hex digits')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FILE: z.string().min(1).optional(),
  SEND_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(3000),
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  SEND_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(250),
  SEND_CONFIRM_AFTER_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  SEND_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  SANDBOX_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9:_-]{1,64}$/, 'must be 1-64 letters, digits, :, _ or -')
    .default('sms-actions'),
  SENDER_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(1),
  QUEUE_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  SEND_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  SEND_SWEEP_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  REVOCATION_POLL_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
  MAX_BODY_BYTES: count(1024, 64 * 1024 * 1024, 1024 * 1024),
  REQUEST_TIMEOUT_MS: count(1000, 600_000, 30_000),
  GRAPHQL_MAX_DEPTH: count(2, 100, 12),
  GRAPHQL_MAX_ALIASES: count(1, 1000, 30),
  GRAPHQL_MAX_TOKENS: count(100, 100_000, 5000),
  GRAPHQL_MAX_DIRECTIVES: count(0, 1000, 30),
  GRAPHQL_MAX_COMPLEXITY: count(10, 10_000_000, 20_000),
  GRAPHQL_MAX_SUBSCRIPTION_COMPLEXITY: count(10, 10_000_000, 1_000),
  KEY_REQUESTS_PER_SECOND: count(1, 100_000, 50),
  USER_REQUESTS_PER_SECOND: count(1, 1_000_000, 500),
  KEY_QUERY_COST_PER_SECOND: count(100, 100_000_000, 50_000),
  RATE_LIMIT_HOLD_MS: count(0, 10_000, 1000),
  SUBSCRIPTIONS_PER_KEY: count(1, 100_000, 100),
  SOCKETS_PER_KEY: count(1, 100_000, 100),
  SMS_ACTIONS_PER_USER: count(1, 100_000, 1000),
  CAMPAIGNS_PER_USER: count(1, 100_000, 1000),
  API_KEYS_PER_USER: count(1, 10_000, 100),
  OPT_OUTS_ADDED_PER_USER: count(1, 10_000_000, 100_000),
  SUBSCRIPTIONS_PER_CONNECTION: count(1, 10_000, 25),
  USER_TEXTS_PER_DAY: count(1, 10_000_000, 1000),
  RECIPIENT_TEXTS_PER_HOUR: count(1, 100_000, 5),
  RECIPIENT_TEXTS_PER_DAY: count(1, 100_000, 10),
  REFUSALS_RECORDED_PER_MINUTE: count(1, 100_000, 60),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CORS_ORIGINS: origins.optional(),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: flag(false),
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d+(,\d+){0,19}$/, 'must be up to 20 comma-separated waits in ms')
    .default('5000,300000,1800000,7200000,18000000,36000000,36000000')
    .transform((v) => v.split(',').map(Number)),
  WEBHOOK_TIMEOUT_MS: count(100, 60_000, 10_000),
  WEBHOOK_CONCURRENCY: count(1, 1000, 32),
  WEBHOOK_ENDPOINT_CONCURRENCY: count(1, 100, 4),
  WEBHOOK_USER_CONCURRENCY: count(1, 1000, 8),
  WEBHOOK_POLL_MS: count(50, 60_000, 1000),
  WEBHOOK_ENDPOINTS_PER_USER: count(1, 1000, 10),
  WEBHOOK_RETENTION_DAYS: count(1, 3650, 30),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default('sms-actions'),
  GRAPHIQL: flag(),
  PUBLIC_INTROSPECTION: flag(false),
  GRAPHQL_COMPILED_QUERIES: flag(true),
})

/** Every environment variable the configuration reads. */
export const CONFIG_VARIABLES = Object.keys(Env.shape)

export type Config = ReturnType<typeof loadConfig>

/** Parses the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = Env.safeParse(present)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ConfigError(`Invalid configuration: ${String(issue?.path[0])} ${issue?.message}`)
  }
  const e = parsed.data
  const atlas = [e.ATLAS_TWILIO_ACCOUNT_SID, e.ATLAS_TWILIO_AUTH_TOKEN, e.ATLAS_MESSAGING_SERVICE_SID]
  if (atlas.some(Boolean) && !atlas.every(Boolean)) {
    throw new ConfigError(
      'Invalid configuration: ATLAS_TWILIO_ACCOUNT_SID, ATLAS_TWILIO_AUTH_TOKEN and ATLAS_MESSAGING_SERVICE_SID must be set together',
    )
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    encryptionKey: resolveEncryptionKey(e.ENCRYPTION_KEY, e.NODE_ENV, e.DATA_DIR),
    previousEncryptionKeys: e.ENCRYPTION_KEY_PREVIOUS.map((k) => Buffer.from(k, 'base64')),
    adminToken: e.ADMIN_TOKEN,
    twilioApiBaseUrl: e.TWILIO_API_BASE_URL,
    twilioTimeoutMs: e.TWILIO_TIMEOUT_MS,
    atlas: e.ATLAS_TWILIO_ACCOUNT_SID
      ? {
          accountSid: e.ATLAS_TWILIO_ACCOUNT_SID,
          authToken: e.ATLAS_TWILIO_AUTH_TOKEN as string,
          messagingServiceSid: e.ATLAS_MESSAGING_SERVICE_SID as string,
        }
      : undefined,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    send: {
      waitMs: e.SEND_WAIT_MS,
      maxAttempts: e.SEND_MAX_ATTEMPTS,
      retryBaseMs: e.SEND_RETRY_BASE_MS,
      /**
       * How long a text whose attempts ran out after one went unanswered waits before the provider
       * is asked about it again: its list can lag the create, and FAILED would invite a resend.
       */
      confirmAfterMs: e.SEND_CONFIRM_AFTER_MS,
      sandboxDelayMs: e.SANDBOX_DELAY_MS,
      /**
       * How long an attempt holds its delivery: past any answer the provider can still give (its
       * requests time out), so a second dispatcher never sends while one is in flight.
       */
      claimMs: 2 * e.TWILIO_TIMEOUT_MS + 5_000,
    },
    queue: {
      prefix: e.REDIS_PREFIX,
      senderRatePerSecond: e.SENDER_RATE_PER_SECOND,
      lockMs: e.QUEUE_LOCK_MS,
      concurrency: e.QUEUE_CONCURRENCY,
    },
    sweep: { intervalMs: e.SEND_SWEEP_INTERVAL_MS, afterMs: e.SEND_SWEEP_AFTER_MS },
    reconcile: { intervalMs: e.RECONCILE_INTERVAL_MS, afterMs: e.RECONCILE_AFTER_MS },
    /** How often keys revoked by another process are looked for, without Redis (0: never). */
    revocationPollMs: e.REVOCATION_POLL_MS,
    http: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      corsOrigins: e.CORS_ORIGINS ?? [],
      metricsToken: e.METRICS_TOKEN,
      /** GraphiQL in a browser: on by default, off in production unless asked for. */
      graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
      /** Error details (stack, driver messages) go to callers only when development was chosen explicitly. */
      exposeErrors: present.NODE_ENV === 'development',
    },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
      /** A subscription's selection runs again for every event it receives, without being charged again. */
      maxSubscriptionComplexity: Math.min(e.GRAPHQL_MAX_SUBSCRIPTION_COMPLEXITY, e.GRAPHQL_MAX_COMPLEXITY),
      publicIntrospection: e.PUBLIC_INTROSPECTION ?? false,
      compiledQueries: e.GRAPHQL_COMPILED_QUERIES ?? true,
    },
    limits: {
      keyRequestsPerSecond: e.KEY_REQUESTS_PER_SECOND,
      userRequestsPerSecond: e.USER_REQUESTS_PER_SECOND,
      keyCostPerSecond: e.KEY_QUERY_COST_PER_SECOND,
      /** Longest a rate-limited query or subscription is held before its refusal is answered. */
      rateLimitHoldMs: e.RATE_LIMIT_HOLD_MS,
      subscriptionsPerKey: e.SUBSCRIPTIONS_PER_KEY,
      socketsPerKey: e.SOCKETS_PER_KEY,
      subscriptionsPerConnection: e.SUBSCRIPTIONS_PER_CONNECTION,
      refusalsRecordedPerMinute: e.REFUSALS_RECORDED_PER_MINUTE,
      /** What one user may hold: live actions, campaigns, unrevoked API keys. */
      actionsPerUser: e.SMS_ACTIONS_PER_USER,
      campaignsPerUser: e.CAMPAIGNS_PER_USER,
      keysPerUser: e.API_KEYS_PER_USER,
      /** Opt-outs an owner may add by hand; those from STOP replies and Twilio are always kept. */
      optOutsAddedPerUser: e.OPT_OUTS_ADDED_PER_USER,
    },
    /** Traces go over OTLP/HTTP to this collector (off when unset). */
    otel: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    webhooks: {
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      /** Endpoints must be https in production. */
      allowHttp: e.NODE_ENV !== 'production',
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? false,
      lockMs: e.WEBHOOK_TIMEOUT_MS + 30_000,
      concurrency: e.WEBHOOK_CONCURRENCY,
      perEndpoint: e.WEBHOOK_ENDPOINT_CONCURRENCY,
      perUser: e.WEBHOOK_USER_CONCURRENCY,
      pollMs: e.WEBHOOK_POLL_MS,
      endpointsPerUser: e.WEBHOOK_ENDPOINTS_PER_USER,
      /** Delivered and failed messages, with their attempts, are deleted this long after they finished. */
      retentionMs: e.WEBHOOK_RETENTION_DAYS * 86_400_000,
    },
    /** Texts a user may send, unless the operator set other figures for that user. */
    textLimits: {
      perMinute: e.SEND_RATE_LIMIT_PER_MINUTE,
      perDay: e.USER_TEXTS_PER_DAY,
      perRecipientHour: e.RECIPIENT_TEXTS_PER_HOUR,
      perRecipientDay: e.RECIPIENT_TEXTS_PER_DAY,
    },
  }
}

function resolveEncryptionKey(given: string | undefined, env: string, dataDir: string): Buffer {
  if (given) return Buffer.from(given, 'base64')
  if (env === 'production') {
    throw new ConfigError('Invalid configuration: ENCRYPTION_KEY is required in production (32 bytes, base64)')
  }
  const file = join(dataDir, 'encryption.key')
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' })
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new ConfigError(`Invalid configuration: ${file} does not hold a 32-byte base64 key`)
  return key
}

/** What a production operator is told at start: settings that are fine in development but not there. */
export function productionWarnings(c: Config): string[] {
  if (c.env !== 'production') return []
  const warnings: string[] = []
  if (!c.atlas) warnings.push('ATLAS_* are unset: Atlas runs as a sandbox, so texts of ATLAS actions are simulated, not sent')
  if (!c.http.metricsToken) warnings.push('METRICS_TOKEN is unset: /metrics answers anyone who can reach the port')
  return warnings
}
