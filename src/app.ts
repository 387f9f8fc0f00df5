import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ExecutionResult, GraphQLError } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga, maskError } from 'graphql-yoga'
import { WebSocketServer } from 'ws'
import { type Auth, authenticate, bearerToken } from './auth.js'
import { config } from './config.js'
import type { Context } from './context.js'
import { db, prepareDb } from './db.js'
import { AppError } from './errors.js'
import { logger } from './logger.js'
import { httpDuration, httpRequests, registry } from './metrics.js'
import { pubsub } from './pubsub.js'
import { closeRedis, redisReady } from './redis.js'
import { schema } from './schema/index.js'
import { SharedSubscriptions } from './sharedSubscriptions.js'
import { handleStatusCallback, STATUS_CALLBACK_PATH } from './sms/callbacks.js'
import { dispatcher } from './sms/index.js'
import { stopTransports } from './sms/providers/index.js'
import { startReconciler } from './sms/reconciler.js'
import { endSubscriptions } from './subscriptions.js'

type ServerContext = { req: IncomingMessage; res: ServerResponse; requestId: string; wsAuth?: Auth | null }

/** Builds the service: HTTP (GraphQL, health, metrics) and graphql-ws on one server. */
export function buildApp(opts: { port?: number; host?: string } = {}) {
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
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
    context: async ({ request, requestId, wsAuth }) => ({
      auth: wsAuth !== undefined ? wsAuth : await authenticate(bearerToken(request.headers.get('authorization'))),
      requestId: requestId ?? randomUUID(),
    }),
  })

  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint()
    const requestId = String(req.headers['x-request-id'] ?? randomUUID()).slice(0, 100)
    res.setHeader('x-request-id', requestId)
    const route = routeOf(req.url)
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      httpRequests.inc({ route, status: res.statusCode })
      httpDuration.observe({ route }, seconds)
      logger.info({ requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request')
    })
    try {
      if (route === '/healthz') return json(res, 200, { status: 'ok' })
      if (route === '/readyz') return json(res, ...(await readiness()))
      if (route === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType })
        return res.end(await registry.metrics())
      }
      if (route === '/graphql') return await yoga.handle(req, res, { req, res, requestId })
      if (route === STATUS_CALLBACK_PATH) {
        res.writeHead(await handleStatusCallback(req, requestId), { 'content-type': 'text/plain' })
        return res.end()
      }
      return json(res, 404, { error: 'not found' })
    } catch (err) {
      logger.error({ err, requestId }, 'request failed')
      if (!res.headersSent) json(res, 500, { error: 'internal error' })
      else res.end()
    }
  })

  const wss = new WebSocketServer({ server, path: '/graphql' })
  const keyOfSocket = new WeakMap<object, string>()
  const shared = new SharedSubscriptions()
  useServer<Record<string, unknown> | undefined, { auth?: Auth }>(
    {
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization
        const auth = await authenticate(bearerToken(typeof header === 'string' ? header : undefined))
        if (!auth) return false
        ctx.extra.auth = auth
        if (auth.kind === 'key') keyOfSocket.set(ctx.extra.socket, auth.keyId)
        return true
      },
      onSubscribe: async (ctx, _id, params) => {
        const requestId = randomUUID()
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          requestId,
          wsAuth: ctx.extra.auth ?? null,
        })
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe, shareKey: shareKeyOf(ctx.extra.auth, params) },
        }
        const errors = validate(args.schema, args.document)
        return errors.length ? errors : args
      },
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => {
        const root = args.rootValue as { subscribe: typeof import('graphql').subscribe; shareKey?: string }
        return shared.subscribe(
          root.shareKey,
          async () => (await root.subscribe(args)) as AsyncIterableIterator<ExecutionResult> | ExecutionResult,
        )
      },
    },
    wss,
  )

  // A revoked key loses its open subscriptions and sockets at once, on every instance.
  const revocations = pubsub.subscribe('apiKey:revoked')[Symbol.asyncIterator]()
  const watchRevocations = async () => {
    for (let r = await revocations.next(); !r.done; r = await revocations.next()) {
      await endSubscriptions(r.value.keyId)
      for (const client of wss.clients) if (keyOfSocket.get(client) === r.value.keyId) client.close(4403, 'Forbidden')
    }
  }
  let reconciler: { stop(): Promise<void> } | undefined
  let address: AddressInfo | undefined
  return {
    yoga,
    server,
    wss,
    get url() {
      if (!address) throw new Error('not started')
      return `http://127.0.0.1:${address.port}`
    },
    async start() {
      await prepareDb()
      await dispatcher.resume()
      void watchRevocations()
      reconciler = startReconciler()
      // Started with --expose-gc (benchmarks), SIGUSR2 forces a collection before a heap reading.
      if (typeof globalThis.gc === 'function') process.on('SIGUSR2', () => globalThis.gc?.())
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(opts.port ?? config.port, opts.host ?? config.host, () => resolve())
      })
      address = server.address() as AddressInfo
      logger.info({ port: address.port, publicUrl: config.publicUrl }, 'listening')
      return address
    },
    /** Graceful: stop accepting, complete open subscriptions, finish in-flight work, close the database. */
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      const dispatching = dispatcher.stop()
      await endSubscriptions()
      await revocations.return?.()
      await new Promise((r) => setTimeout(r, 50))
      for (const client of wss.clients) client.close(1001, 'Server shutting down')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      // Keep-alive connections go as soon as their request in flight is answered.
      const idle = setInterval(() => server.closeIdleConnections(), 50)
      const force = setTimeout(() => server.closeAllConnections(), 10_000)
      await closed
      clearInterval(idle)
      clearTimeout(force)
      await reconciler?.stop()
      stopTransports()
      await dispatching
      await closeRedis()
      await db.$disconnect()
    },
  }
}

export type App = ReturnType<typeof buildApp>

function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] as string
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function readiness(): Promise<[number, unknown]> {
  const database = await db.$queryRawUnsafe('SELECT 1').then(
    () => 'ok',
    (err) => {
      logger.warn({ err }, 'readiness: database unreachable')
      return 'unreachable'
    },
  )
  const redis = config.redisUrl ? ((await redisReady()) ? 'ok' : 'unreachable') : undefined
  if (redis === 'unreachable') logger.warn('readiness: redis unreachable')
  const ok = database === 'ok' && redis !== 'unreachable'
  return [ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', database, ...(redis ? { redis } : {}) }]
}

/** Subscriptions of one API key with the same document and variables get the same results, so they share one execution. */
function shareKeyOf(auth: Auth | undefined, params: { query: string; operationName?: string | null; variables?: unknown }) {
  return auth?.kind === 'key'
    ? JSON.stringify([auth.keyId, params.query, params.operationName ?? null, params.variables ?? null])
    : undefined
}
