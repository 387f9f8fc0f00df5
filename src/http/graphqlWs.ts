import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql'
import { CloseCode } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import { type Auth, bearerToken, type Viewer } from '../auth.js'
import { refusalError } from '../errors.js'
import { asksCurrentState, SubscriptionSharing, sharedName } from '../realtime/sharing.js'
import { Seats } from '../seats.js'
import type { Services } from '../services.js'
import type { RequestBudget } from './callers.js'
import type { GraphQLServer } from './yoga.js'

/** The close code of sockets ended by a shutdown (RFC 6455 "going away"). */
export const GOING_AWAY = 1001

type Enveloped = ReturnType<GraphQLServer['getEnveloped']>
type Args = ExecutionArgs & {
  execute: Enveloped['execute']
  subscribe: Enveloped['subscribe']
  viewer?: Viewer
  operation: { query: string; operationName?: string | null; variables?: unknown }
}

/**
 * graphql-ws on the HTTP server's /graphql, through yoga's envelop (its plugins run for sockets
 * too). The key is checked on connect and again for each operation: a bad or revoked one closes
 * the socket with 4403 (a key revoked by another process without Redis sends no event here).
 */
export function attachGraphQLWs(server: Server, yoga: GraphQLServer, services: Services, budget: RequestBudget) {
  const { limits, http } = services.config
  // A message over MAX_BODY_BYTES closes the socket with 1009 (message too big).
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: http.maxBodyBytes })
  // A socket's key, and the token that showed it (checked again for each operation).
  const keyOfSocket = new WeakMap<object, { keyId: string; token: string }>()
  // Shared after yoga's result hooks: they run once per event, not once per subscriber.
  const sharing = new SubscriptionSharing(services.updates)
  const sockets = new Seats(limits.socketsPerKey)
  useServer<Record<string, unknown> | undefined, { auth?: Auth }>(
    {
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization
        const token = bearerToken(typeof header === 'string' ? header : undefined)
        const auth = await services.authenticate(token)
        if (!auth) return false
        const { socket, request } = ctx.extra
        // A connection costs a request of the key's budget, and a key holds at most SOCKETS_PER_KEY of them.
        const over = await budget(auth, request.socket.remoteAddress)
        // Gone while its key and budget were read: counting it now would never be undone (its close has fired).
        if (socket.readyState !== socket.OPEN) return false
        const seat = over ? undefined : auth.kind === 'key' ? sockets.take(auth.keyId) : () => undefined
        if (!seat) {
          const refusal = over?.message ?? `At most ${limits.socketsPerKey} connections at once with one key`
          socket.close(TRY_AGAIN_LATER, refusal.slice(0, 120))
          return false
        }
        socket.once('close', seat)
        ctx.extra.auth = auth
        if (auth.kind === 'key' && token) keyOfSocket.set(socket, { keyId: auth.keyId, token })
        return true
      },
      onSubscribe: async (ctx, _id, params) => {
        // The operation being subscribed is already counted among the connection's.
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [refusalError('RATE_LIMITED', `At most ${limits.subscriptionsPerConnection} operations at once on one connection`)]
        }
        // After the count above, which must see the connection's operations as they were when this one came.
        if (ctx.extra.auth?.kind === 'key' && !(await services.authenticate(keyOfSocket.get(ctx.extra.socket)?.token))) {
          // The refusal goes out first, then the socket closes as on a revocation heard of.
          setImmediate(() => ctx.extra.socket.close(CloseCode.Forbidden, 'Forbidden'))
          return [refusalError('UNAUTHENTICATED', 'The API key was revoked')]
        }
        const over = await budget(ctx.extra.auth ?? null, ctx.extra.request.socket.remoteAddress)
        if (over) return [refusalError(over.code, over.message)]
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          requestId: randomUUID(),
          wsAuth: ctx.extra.auth ?? null,
        })
        let document: ExecutionArgs['document']
        try {
          document = parse(params.query)
        } catch (e) {
          // A refused document (a syntax error, or over the token or depth limit) is an answer, not a crash.
          // Duck-typed: graphql may be loaded twice (ESM and CJS), and then instanceof fails.
          if ((e as Error).name === 'GraphQLError') return [e as GraphQLError]
          throw e
        }
        const auth = ctx.extra.auth
        // Shared among the user's subscribers of the same role and operation, unless it asks for the current state first.
        const viewer = auth?.kind === 'key' && !asksCurrentState(document, params.variables) ? auth : undefined
        const contextValue = await contextFactory()
        // The shared execution is held under its user and role, so revoking the key that opened it ends no one else's.
        if (viewer) Object.assign(contextValue, { sharedAs: sharedName(viewer) })
        const args: Args = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          execute,
          subscribe,
          viewer,
          operation: params,
        }
        const errors = validate(args.schema, args.document)
        return errors.length ? errors : args
      },
      execute: (args) => (args as Args).execute(args),
      subscribe: async (args) => {
        const { subscribe, operation, viewer } = args as Args
        const run = async () => (await subscribe(args)) as AsyncIterableIterator<ExecutionResult> | ExecutionResult
        return viewer ? sharing.subscribe(viewer, operation, run) : run()
      },
    },
    wss,
  )
  return {
    wss,
    /** Closes the sockets of a revoked key (Forbidden, like a bad key on connect). */
    closeKey(keyId: string) {
      for (const client of wss.clients) if (keyOfSocket.get(client)?.keyId === keyId) client.close(CloseCode.Forbidden, 'Forbidden')
    },
    /** Tells every client the server is going away, and closes the WebSocket server. */
    async close() {
      for (const client of wss.clients) client.close(GOING_AWAY, 'Server shutting down')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

/** WebSocket close code 1013: the client may connect again later (graphql-ws clients retry it). */
const TRY_AGAIN_LATER = 1013
