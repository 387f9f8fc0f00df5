import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SpanKind } from '@opentelemetry/api'
import { SubscriptionSharing } from '../realtime/sharing.js'
import type { Services } from '../services.js'
import { createBudgets } from './callers.js'
import { consoleAssets, serveAsset } from './console.js'
import { attachGraphQLWs } from './graphqlWs.js'
import { serveWebhook, webhookRoutes } from './webhooks.js'
import { createGraphQLServer } from './yoga.js'

const CONSOLE = '/console'
const pathOf = (url: string | undefined) => {
  const path = (url ?? '/').split('?')[0] as string
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}
/** A request id from the client is kept only when it is a short, plain token. */
const requestIdOf = (given: string | string[] | undefined) =>
  typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID()

/** Why an HTTP request is refused before GraphQL reads it (status and reason), if it is. */
function refusedAtTheDoor(req: IncomingMessage, path: string, maxBytes: number): [number, string] | undefined {
  const length = req.headers['content-length']
  if (length !== undefined && Number(length) > maxBytes) return [413, `the body is over ${maxBytes} bytes`]
  if (path !== '/graphql' || req.method !== 'POST') return undefined
  // JSON only: form, multipart and text posts are what a browser sends cross-site without asking (CSRF).
  if (!/^application\/(graphql-response\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
    return [415, 'operations are posted as application/json (or sent with GET, for queries)']
  }
  if (length === undefined) return [411, 'a Content-Length is required']
  return undefined
}

/**
 * The service over HTTP and WebSocket: yoga (GraphQL, SSE, GraphiQL, health, readiness, metrics),
 * graphql-ws, and Twilio's status callbacks, on one node server.
 */
export function buildApp(services: Services, listen: { port?: number; host?: string } = {}) {
  const { logger, metrics, config } = services
  const budgets = createBudgets(services)
  const sseSharing = new SubscriptionSharing(services.updates)
  const yoga = createGraphQLServer(services, budgets, sseSharing)
  const webhooks = webhookRoutes(services)
  // Paths served, as metric labels; any other collapses into 'other'.
  const routes = new Set(['/graphql', '/healthz', '/readyz', '/metrics', ...webhooks.keys()])
  const assets = consoleAssets()
  const { tracing } = services
  /** A server span per request, continuing the caller's trace when it sent a traceparent. */
  const traced = (req: IncomingMessage, res: ServerResponse, route: string, work: () => Promise<void>) => {
    if (!tracing.tracer) return work()
    const traceparent = req.headers.traceparent
    const parent = typeof traceparent === 'string' ? tracing.contextOf({ traceparent }) : undefined
    const attributes = { 'http.request.method': req.method ?? '', 'http.route': route }
    return tracing.span(`${req.method} ${route}`, { kind: SpanKind.SERVER, parent, attributes }, async (span) => {
      await work()
      span?.setAttribute('http.response.status_code', res.statusCode)
    })
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint()
    const requestId = requestIdOf(req.headers['x-request-id'])
    res.setHeader('x-request-id', requestId)
    const path = pathOf(req.url)
    // Unknown paths share one label, so /metrics does not grow a series per path ever asked for.
    const asset = assets.get(path)
    const route = asset ? CONSOLE : routes.has(path) ? path : 'other'
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      metrics.httpRequests.inc({ route, status: res.statusCode })
      metrics.httpDuration.observe({ route }, seconds)
      logger.info({ requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request')
    })
    try {
      const refused = refusedAtTheDoor(req, path, config.http.maxBodyBytes)
      if (refused) {
        res.writeHead(refused[0], { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error: refused[1] }))
        return req.resume()
      }
      if (asset) return serveAsset(asset, req.method, res)
      await traced(req, res, route, async () => {
        const webhook = webhooks.get(route)
        if (webhook) await serveWebhook(webhook, req, res, requestId)
        // Only the paths yoga serves reach it: it answers any URL ending in /graphql, past the door's checks.
        else if (route !== 'other') await yoga.handle(req, res, { req, res, requestId })
        else {
          res.writeHead(404, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"not found"}')
          req.resume()
        }
      })
    } catch (err) {
      logger.error({ err, requestId }, 'request failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}')
      else res.end()
    }
  }
  // A body trickled in (or headers never finished) is cut off after REQUEST_TIMEOUT_MS, checked every second.
  const timeout = config.http.requestTimeoutMs
  const server = createServer(
    { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(1000, timeout) },
    (req, res) => void handle(req, res),
  )
  const ws = attachGraphQLWs(server, yoga, services, budgets.requests)

  // A revoked key loses its open subscriptions and sockets at once, on every instance.
  const revocations = services.pubsub.subscribe('apiKey:revoked')[Symbol.asyncIterator]()
  const watchRevocations = async () => {
    for (let r = await revocations.next(); !r.done; r = await revocations.next()) {
      await services.updates.end(r.value.keyId)
      await sseSharing.endKey(r.value.keyId)
      ws.closeKey(r.value.keyId)
    }
  }

  let address: AddressInfo | undefined
  let stopped: Promise<void> | undefined
  /** Graceful: stop accepting, complete open subscriptions, answer requests in flight, then release the services. */
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    await services.updates.end()
    await revocations.return?.()
    // Let the completions reach the clients before their sockets close.
    await new Promise((r) => setTimeout(r, 50))
    await ws.close()
    // Keep-alive connections go as soon as their request in flight is answered.
    const idle = setInterval(() => server.closeIdleConnections(), 50)
    const force = setTimeout(() => server.closeAllConnections(), 10_000)
    await closed
    clearInterval(idle)
    clearTimeout(force)
    await services.close()
  }
  return {
    yoga,
    server,
    get url() {
      if (!address) throw new Error('not started')
      return `http://127.0.0.1:${address.port}`
    },
    /** Prepares the database, resumes interrupted sends, starts background work, then listens. */
    async start() {
      await services.dialect.prepare(services.db)
      await services.dispatcher.start()
      void watchRevocations()
      services.revocations.start()
      services.reconciler.start()
      services.webhooks.start()
      services.webhookRetention.start()
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(listen.port ?? config.port, listen.host ?? config.host, () => resolve())
      })
      address = server.address() as AddressInfo
      logger.info({ port: address.port, publicUrl: config.publicUrl, pid: process.pid }, 'listening')
      return address
    },
    /** Stops once, however often it is asked (a second signal waits for the first stop). */
    stop(): Promise<void> {
      stopped ??= stop()
      return stopped
    },
  }
}

export type App = ReturnType<typeof buildApp>
