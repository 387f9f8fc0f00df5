import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { print } from 'graphql'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import {
  type AgentToolFormat,
  AgentToolsDocument,
  CallDeliveriesDocument,
  type CallDeliveriesSubscription,
  CallTextStatusDocument,
  SendSmsToolCallDocument,
  type ToolCallInput,
} from './generated/graphql.js'

export interface AgentRuntimeOptions {
  /** The service's base URL, e.g. http://localhost:4000 */
  url: string
  /** An AGENT (or OWNER) API key. */
  key: string
  /** How long a request may take before it is given up (a live call cannot wait): 15 s by default. */
  timeoutMs?: number
}

/** Codes of a refused request that may pass if the same request is sent again a little later. */
const RETRYABLE_CODES = new Set(['RATE_LIMITED', 'TEMPORARILY_UNAVAILABLE', 'PROVIDER_UNAVAILABLE'])

/**
 * A request the service refused as a whole or did not answer with GraphQL: `status` is the HTTP
 * status (0: no answer in time), `code` the GraphQL error's code when it answered one
 * (UNAUTHENTICATED, RATE_LIMITED, …).
 */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message)
  }
}

/** How a watch ended: the server completed it (a deploy, a revoked key), or an error (`error` set). */
export type WatchEnd = { error?: unknown }

/** What to hand back to the LLM, and what happened. */
export interface ToolCallHandled {
  /** The tool's result, for the LLM: one sentence it can act on. */
  toolResult: string
  /** The delivery the call made (none for the delivery-status tool, or when refused before recording). */
  deliveryId?: string
  /** A refusal's code (`VALIDATION`, `RECIPIENT_LIMIT_REACHED`, …); undefined when it went through. */
  refused?: string
  /** Whether the same tool call may succeed if tried again later. */
  retryable?: boolean
}

export type DeliveryUpdate = CallDeliveriesSubscription['smsDeliveryUpdated']

/**
 * The agent runtime's side of SMS Actions: the tools to give the LLM, one call to handle each tool
 * call it makes, and the call's deliveries as they move.
 */
export function createAgentRuntime({ url, key, timeoutMs = 15_000 }: AgentRuntimeOptions) {
  const base = url.replace(/\/+$/, '')
  async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    let res: Response
    try {
      res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: print(document), variables }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (e) {
      throw new ServiceError(`no answer from ${base}: ${(e as Error).message}`, 0, true)
    }
    // A body limit (413), a proxy's 502 page: not GraphQL, said with its status.
    const refused = () =>
      new ServiceError(`${res.status} ${res.statusText} from ${base}`, res.status, res.status === 429 || res.status >= 500)
    if (!(res.headers.get('content-type') ?? '').includes('json')) throw refused()
    let body: { data?: R; errors?: { message: string; extensions?: { code?: string } }[] }
    try {
      body = await res.json()
    } catch {
      // Cut off by the timeout while it was read, or not JSON after all.
      throw new ServiceError(`${res.status} from ${base}: the answer could not be read`, res.status, true)
    }
    if (body.data === undefined && !body.errors?.length) throw refused()
    if (body.errors?.length) {
      const [first] = body.errors
      const code = first?.extensions?.code
      const retryable = (code !== undefined && RETRYABLE_CODES.has(code)) || res.status === 429 || res.status >= 500
      throw new ServiceError(first?.message ?? `${res.status} from ${base}`, res.status, retryable, code)
    }
    return body.data as R
  }
  let socket: ReturnType<typeof createClient> | undefined

  return {
    /** The campaign's tool definitions in one LLM API's shape. */
    async tools(campaignId: string, format: AgentToolFormat = 'OPENAI_CHAT'): Promise<unknown[]> {
      const data = await request(AgentToolsDocument, { campaignId, format })
      if (!data.campaign) throw new Error(`campaign ${campaignId} not found`)
      return data.campaign.agentTools as unknown[]
    },

    /** Handles one tool call the LLM made on a call; returns the tool result to give back to it. */
    async handleToolCall(input: {
      campaignId: string
      call: { callId: string; customerPhoneNumber: string }
      toolCall: ToolCallInput
    }): Promise<ToolCallHandled> {
      const { sendSmsToolCall: r } = await request(SendSmsToolCallDocument, { input })
      if (r.__typename === 'SendSmsToolCallSuccess') return { toolResult: r.toolResult, deliveryId: r.sent?.delivery.id }
      if (r.__typename === 'SendSmsError') {
        return { toolResult: r.agentMessage, refused: r.code, retryable: r.retryable, deliveryId: r.recordedDelivery?.id }
      }
      throw new Error('unexpected sendSmsToolCall result')
    },

    /** What the agent can say about the call's texts (what the delivery-status tool answers). */
    async callStatus(callId: string, campaignId?: string): Promise<string> {
      return (await request(CallTextStatusDocument, { callId, campaignId })).callTextStatus.sentence
    },

    /**
     * The call's delivery updates over graphql-ws, until the returned function is called: first its
     * texts as they now are, then each change once, also across reconnects. `onEnd` is told when the
     * watch ends without being stopped: the server refused it (too many on one connection, the
     * key's budget) or completed it (a deploy, a revoked key); without it, that is logged.
     */
    watchCall(callId: string, onUpdate: (u: DeliveryUpdate) => void, onEnd: (end: WatchEnd) => void = logEnd(callId)): () => void {
      socket ??= createClient({
        url: `${base.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key}` },
        // A watch subscribing again keeps the socket (lazy clients close it with their last subscription).
        lazyCloseTimeout: 5_000,
        // Close events are retried (graphql-ws' default), except 4403: the key is not (or no longer) valid.
        shouldRetry: (e) => typeof e === 'object' && e !== null && 'code' in e && 'reason' in e && e.code !== 4403,
      })
      const client = socket
      // Told once: a refusal comes as errors and then a completion.
      let over = false
      const end = (e: WatchEnd) => {
        if (over) return
        over = true
        onEnd(e)
      }
      const isNew = newUpdates()
      let unsubscribe: () => void = () => undefined
      let tries = 0
      let timer: NodeJS.Timeout | undefined
      // UPDATES_MISSED (the service may have dropped updates) or TEMPORARILY_UNAVAILABLE: subscribing
      // again sends the current state first.
      const watch = () => {
        let again = false
        unsubscribe = client.subscribe<CallDeliveriesSubscription>(
          { query: print(CallDeliveriesDocument), variables: { callId } },
          {
            next: (r) => {
              if (r.data) {
                tries = 0
                if (isNew(r.data.smsDeliveryUpdated)) onUpdate(r.data.smsDeliveryUpdated)
              } else if (r.errors?.some((e) => AGAIN.has(String(e.extensions?.code)))) again = true
              else if (r.errors) end({ error: r.errors })
            },
            error: (error) => end({ error }),
            complete: () => {
              if (!again || over) return end({})
              timer = setTimeout(watch, againAfterMs(tries++))
            },
          },
        )
      }
      watch()
      return () => {
        over = true
        clearTimeout(timer)
        unsubscribe()
      }
    },

    /** Closes the WebSocket, if one was opened. */
    async close(): Promise<void> {
      await socket?.dispose()
    },
  }
}

export type AgentRuntime = ReturnType<typeof createAgentRuntime>

/** The order statuses move in (as the service's): a delivery never moves back, and the final ones not at all. */
const RANK: Record<string, number> = { PENDING: 0, QUEUED: 1, SENDING: 2, SENT: 3, DELIVERED: 4, UNDELIVERED: 4, FAILED: 4, REJECTED: 4 }

/**
 * Which updates a watch has not shown yet: the current state sent again on a resubscription, or
 * an earlier status arriving after a later one, is left out (status only moves forward).
 */
function newUpdates() {
  const shown = new Map<string, number>()
  return ({ delivery, event }: DeliveryUpdate): boolean => {
    const rank = RANK[event.status] ?? 0
    const before = shown.get(delivery.id)
    if (before !== undefined && rank <= before) return false
    shown.set(delivery.id, rank)
    return true
  }
}

/** Answers a watch subscribes again after, at once and then backing off, with jitter: many watches may be told together. */
const AGAIN = new Set(['UPDATES_MISSED', 'TEMPORARILY_UNAVAILABLE'])
const againAfterMs = (tries: number) => Math.min(30_000, 250 * 2 ** tries) * (0.5 + Math.random() / 2)

const logEnd = (callId: string) => (end: WatchEnd) =>
  console.warn(`watchCall(${callId}) ended${end.error ? `: ${JSON.stringify(end.error)}` : ' (the server completed it)'}`)
