import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { GraphQLError } from 'graphql'
import { createYoga, maskError, type Plugin, useReadinessCheck } from 'graphql-yoga'
import { type Auth, bearerToken } from '../auth.js'
import { isTransientDbError } from '../db/client.js'
import { AppError } from '../errors.js'
import type { Context } from '../schema/context.js'
import { schema } from '../schema/index.js'
import type { Services } from '../services.js'

/** What the HTTP server and graphql-ws hand yoga with each request. */
export type ServerContext = { req: IncomingMessage; res?: ServerResponse; requestId?: string; wsAuth?: Auth | null }

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

/** Prometheus metrics at /metrics. */
function useMetricsEndpoint(services: Services): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname !== '/metrics') return
      const { registry } = services.metrics
      endResponse(new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }))
    },
  }
}

/** GraphQL over HTTP and SSE, GraphiQL, health, readiness and metrics. */
export function createGraphQLServer(services: Services) {
  const { logger, authenticate } = services
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    plugins: [
      useReadinessCheck({ endpoint: '/healthz', check: () => json(200, { status: 'ok' }) }),
      useReadinessCheck({ endpoint: '/readyz', check: () => readiness(services) }),
      useMetricsEndpoint(services),
    ],
    logging: {
      debug: (...a) => logger.debug({ yoga: a.map(String) }, 'yoga'),
      info: (...a) => logger.info({ yoga: a.map(String) }, 'yoga'),
      warn: (...a) => logger.warn({ yoga: a.map(String) }, 'yoga'),
      // Resolver errors are logged once, in maskError below; yoga's own copy would repeat them.
      error: (...a) => logger.debug({ yoga: a.map(String) }, 'yoga'),
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        // Duck-typed: under some loaders graphql is loaded twice, and instanceof GraphQLError fails.
        const located = error as Partial<GraphQLError>
        const original = located.originalError ?? error
        if (original instanceof AppError) {
          return new GraphQLError(original.message, { nodes: located.nodes, path: located.path, extensions: { code: original.code } })
        }
        if (original instanceof Error && !('extensions' in original)) logger.error({ err: original }, 'unexpected error')
        return maskError(error, message, isDev)
      },
    },
    context: async ({ request, requestId, wsAuth }) => {
      const base = { requestId: requestId ?? randomUUID(), services }
      if (wsAuth !== undefined) return { ...base, auth: wsAuth }
      try {
        return { ...base, auth: await authenticate(bearerToken(request.headers.get('authorization'))) }
      } catch (err) {
        if (!isTransientDbError(err)) throw err
        return { ...base, auth: null, authUnavailable: true }
      }
    },
  })
}

export type GraphQLServer = ReturnType<typeof createGraphQLServer>
