import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { renderGraphiQL } from '@graphql-yoga/render-graphiql'
import type { GraphQLError } from 'graphql'
import { createYoga, maskError, type Plugin } from 'graphql-yoga'
import type { Auth } from '../auth.js'
import { safeEqual } from '../crypto.js'
import { AppError, refusalError } from '../errors.js'
import { asksCurrentState, type SubscriptionSharing, sharedName } from '../realtime/sharing.js'
import type { Context } from '../schema/context.js'
import { schema } from '../schema/index.js'
import { usePacedExecution } from '../schema/pacing.js'
import type { Services } from '../services.js'
import { useOperationTelemetry } from '../telemetry/graphql.js'
import { type Budgets, type Caller, useCallers } from './callers.js'
import { COMPILED_LIMITS, useCompiledQueries } from './compiledQueries.js'
import { callerRefusal, characterGuard, costBudget, costGuards, schemaPrivacy } from './guards.js'

/** What the HTTP server and graphql-ws hand yoga with each request. */
export type ServerContext = { req: IncomingMessage; res?: ServerResponse; requestId?: string; wsAuth?: Auth | null } & Partial<Caller>

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/** Database reachable (and Redis, when configured): 200, else 503 with what is down. */
async function readiness(services: Services): Promise<Response> {
  const { db, redis, logger } = services
  const database = await db.$queryRawUnsafe('SELECT 1').then(
    () => 'ok',
    (err) => {
      logger.warn({ err }, 'readiness: database unreachable')
      return 'unreachable'
    },
  )
  const redisState = redis ? ((await redis.ready()) ? 'ok' : 'unreachable') : undefined
  if (redisState === 'unreachable') logger.warn('readiness: redis unreachable')
  const ok = database === 'ok' && redisState !== 'unreachable'
  return json(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', database, ...(redisState ? { redis: redisState } : {}) })
}

/**
 * Answers `path` with `check()`'s response. yoga's useReadinessCheck also tested every request's
 * URL against a URLPattern, which cost more than the whole check of a health request.
 */
function useCheckEndpoint(path: string, check: () => Response | Promise<Response>): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname === path) endResponse(await check())
    },
  }
}

/** Prometheus metrics at /metrics; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`. */
function useMetricsEndpoint({ metrics, config }: Services): Plugin {
  const token = config.http.metricsToken
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/metrics') return
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
      if (token && !(given && safeEqual(given, token)))
        return endResponse(json(401, { error: 'metrics need the METRICS_TOKEN bearer token' }))
      endResponse(new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }))
    },
  }
}

/**
 * Subscriptions over SSE share one execution per user, role, document and variables, as graphql-ws's
 * do (graphql-ws shares its own, after yoga's result hooks). A caller with a refusal runs alone,
 * so that it gets its refusal; so does one asking for the current state first.
 */
function useSharedSubscriptions(sharing: SubscriptionSharing): Plugin<Context & ServerContext> {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const ctx = args.contextValue
      if (ctx.wsAuth !== undefined || ctx.refusal || ctx.auth?.kind !== 'key' || !ctx.params) return
      if (asksCurrentState(args.document, args.variableValues as Record<string, unknown> | undefined)) return
      const viewer = ctx.auth
      const operation = ctx.params
      ctx.sharedAs = sharedName(viewer)
      setSubscribeFn((a) => sharing.subscribe(viewer, operation, async () => subscribeFn(a)))
    },
  }
}

const EXAMPLE = `# Send requests with your API key: put it in the Headers tab below,
# {"Authorization": "Bearer sk_…"}, then run this query.
query Overview {
  viewer { email enabledProviders }
  campaigns { id name smsActions { id name provider enabled } }
  smsDeliveries(first: 10) { edges { node { id status to createdAt } } }
}
`

/** GraphQL over HTTP and SSE, GraphiQL (served from the package, no CDN), health, readiness and metrics. */
export function createGraphQLServer(services: Services, budgets: Budgets, sharing: SubscriptionSharing) {
  const { logger, config } = services
  const origins = config.http.corsOrigins
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The HTTP server refuses a POST without a Content-Length or over MAX_BODY_BYTES before yoga
    // reads it (app.ts), and Node reads no more than the length; yoga's own limit piped every body
    // through a TransformStream (about 15 % of the CPU of a small operation).
    maxRequestBodySize: false,
    // Parsed and validated documents are reused: validation depends on the document alone (the cost,
    // which reads the variables, is computed per request in costGuards; suggestions are removed per
    // caller after validation, in schemaPrivacy).
    graphiql: config.http.graphiql && { title: 'SMS Actions', defaultQuery: EXAMPLE, headers: '{\n  "Authorization": "Bearer sk_…"\n}' },
    renderGraphiQL,
    // No cross-origin calls unless CORS_ORIGINS lists the origins.
    cors: origins.length ? { origin: origins, credentials: true, methods: ['GET', 'POST'] } : false,
    plugins: [
      useCheckEndpoint('/healthz', () => json(200, { status: 'ok' })),
      useCheckEndpoint('/readyz', () => readiness(services)),
      useMetricsEndpoint(services),
      useCallers(services, budgets),
      // Before the plugins that wrap execution (telemetry, pacing): it replaces the executor they wrap.
      useCompiledQueries(config.graphql.compiledQueries, COMPILED_LIMITS, (n) => services.metrics.compiledDocuments.set(n)),
      useOperationTelemetry(services),
      callerRefusal(config.limits.rateLimitHoldMs),
      ...costGuards(config.graphql),
      costBudget(budgets.cost),
      schemaPrivacy(config.graphql.publicIntrospection),
      characterGuard(),
      usePacedExecution(),
      useSharedSubscriptions(sharing),
    ],
    logging: {
      debug: (...a) => logger.debug({ yoga: a.map(String) }, 'yoga'),
      info: (...a) => logger.info({ yoga: a.map(String) }, 'yoga'),
      warn: (...a) => logger.warn({ yoga: a.map(String) }, 'yoga'),
      // Resolver errors are logged once, in maskError below; yoga's own copy would repeat them.
      error: (...a) => logger.debug({ yoga: a.map(String) }, 'yoga'),
    },
    maskedErrors: {
      maskError(error, message) {
        // Duck-typed: under some loaders graphql is loaded twice, and instanceof GraphQLError fails.
        const located = error as Partial<GraphQLError>
        const original = located.originalError ?? error
        const where = { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path }
        if (original instanceof AppError) {
          return refusalError(original.code, original.message, where)
        }
        // Pothos refuses a malformed argument itself (a cursor that is not one of ours): bad input, said so.
        if ((original as Error).name === 'PothosValidationError') {
          return refusalError('VALIDATION', (original as Error).message, where)
        }
        if (original instanceof Error && !('extensions' in original)) logger.error({ err: original }, 'unexpected error')
        return maskError(error, message, config.http.exposeErrors)
      },
    },
    context: ({ auth, refusal, wsAuth, requestId }) => ({
      auth: wsAuth !== undefined ? wsAuth : (auth ?? null),
      refusal,
      requestId: requestId ?? randomUUID(),
      services,
    }),
  })
}

export type GraphQLServer = ReturnType<typeof createGraphQLServer>
