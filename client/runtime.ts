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
}

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
export function createAgentRuntime({ url, key }: AgentRuntimeOptions) {
  const base = url.replace(/\/+$/, '')
  async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: print(document), variables }),
    })
    const body = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] }
    if (body.errors?.length) {
      const [first] = body.errors
      throw Object.assign(new Error(first?.message), { code: first?.extensions?.code })
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
      if (r.__typename === 'SendSmsError') return { toolResult: r.agentMessage, refused: r.code, retryable: r.retryable }
      throw new Error('unexpected sendSmsToolCall result')
    },

    /** What the agent can say about the call's texts (what the delivery-status tool answers). */
    async callStatus(callId: string, campaignId?: string): Promise<string> {
      return (await request(CallTextStatusDocument, { callId, campaignId })).callTextStatus.sentence
    },

    /** The call's delivery updates over graphql-ws, until the returned function is called. */
    watchCall(callId: string, onUpdate: (u: DeliveryUpdate) => void, onError: (e: unknown) => void = () => undefined): () => void {
      socket ??= createClient({
        url: `${base.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key}` },
      })
      return socket.subscribe<CallDeliveriesSubscription>(
        { query: print(CallDeliveriesDocument), variables: { callId } },
        {
          next: (r) => {
            if (r.data) onUpdate(r.data.smsDeliveryUpdated)
            else if (r.errors) onError(r.errors)
          },
          error: onError,
          complete: () => undefined,
        },
      )
    },

    /** Closes the WebSocket, if one was opened. */
    async close(): Promise<void> {
      await socket?.dispose()
    },
  }
}

export type AgentRuntime = ReturnType<typeof createAgentRuntime>
