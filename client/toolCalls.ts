import { createHash } from 'node:crypto'
import type { ToolCallInput } from './generated/graphql.js'

/**
 * Tool calls as each LLM API delivers them, turned into the one shape sendSmsToolCall takes:
 * the call's id (the idempotency key), the tool's name, and its arguments.
 */
export const toolCallFrom = {
  /** Chat Completions: a `message.tool_calls[]` entry. */
  openaiChat: (c: { id: string; function: { name: string; arguments: string } }): ToolCallInput => ({
    id: c.id,
    name: c.function.name,
    arguments: c.function.arguments,
  }),
  /** Responses API: an `output[]` item of type `function_call`. */
  openaiResponses: (item: { call_id: string; name: string; arguments: string }): ToolCallInput => ({
    id: item.call_id,
    name: item.name,
    arguments: item.arguments,
  }),
  /**
   * Realtime API: a `response.function_call_arguments.done` event, or a `function_call` item of
   * `response.output`. The event also comes for a response the caller then interrupted: prefer
   * `openaiRealtimeResponse`, which texts only for a completed response.
   */
  openaiRealtime: (event: { call_id: string; name: string; arguments: string }): ToolCallInput => ({
    id: event.call_id,
    name: event.name,
    arguments: event.arguments,
  }),
  /**
   * Realtime API: the tool calls of a `response.done` event, none unless the response completed
   * (a caller who interrupted the agent, a `response.cancel`, cut-off arguments: no text).
   */
  openaiRealtimeResponse: (event: {
    type?: string
    response: { status: string; output?: { type: string; status?: string; call_id?: string; name?: string; arguments?: string }[] }
  }): ToolCallInput[] =>
    event.response.status !== 'completed'
      ? []
      : (event.response.output ?? [])
          .filter((item) => item.type === 'function_call' && item.status !== 'incomplete' && item.call_id && item.name)
          .map((item) => ({ id: item.call_id as string, name: item.name as string, arguments: item.arguments ?? '{}' })),
  /** Anthropic Messages API: a `tool_use` content block. */
  anthropic: (block: { id: string; name: string; input: unknown }): ToolCallInput => ({
    id: block.id,
    name: block.name,
    arguments: block.input,
  }),
  /**
   * Gemini: a part's `functionCall`. Without an id of its own, the id is derived from the call, the
   * name, the arguments and `turn` (e.g. the response id and the part's index): the same call
   * repeated within a turn texts once, and a later turn that asks again texts again.
   */
  gemini: (fc: { id?: string; name: string; args?: unknown }, callId: string, turn = ''): ToolCallInput => ({
    id:
      fc.id ??
      `gemini-${createHash('sha256')
        .update(JSON.stringify([callId, fc.name, fc.args ?? {}, ...(turn ? [turn] : [])]))
        .digest('hex')
        .slice(0, 32)}`,
    name: fc.name,
    arguments: fc.args ?? {},
  }),
  /**
   * MCP: a `tools/call` request. Its JSON-RPC id is unique only within its session, and clients
   * count from 1 again in each: give the `session` id (e.g. Mcp-Session-Id), or a new session's
   * first call is taken for a replay of the last session's.
   */
  mcp: (request: { id: string | number; params: { name: string; arguments?: unknown } }, session?: string): ToolCallInput => ({
    id: session ? `mcp-${session}-${typeof request.id === 'number' ? 'n' : 's'}${request.id}` : `mcp-${request.id}`,
    name: request.params.name,
    arguments: request.params.arguments ?? {},
  }),
}
