import { readFileSync } from 'node:fs'
import { buildSchema, isAbstractType } from 'graphql'
import { describe, expect, it } from 'vitest'
import possibleTypes from '../../client/generated/possible-types.js'
import { toolCallFrom } from '../../client/toolCalls.js'

describe('the typed client (client/, npm run client:generate)', () => {
  it('knows every union and interface member of schema.graphql, as Apollo Client’s possibleTypes needs', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'))
    const expected = Object.fromEntries(
      Object.values(schema.getTypeMap())
        .filter(isAbstractType)
        .map((t) => [
          t.name,
          schema
            .getPossibleTypes(t)
            .map((m) => m.name)
            .sort(),
        ]),
    )
    const generated = Object.fromEntries(Object.entries(possibleTypes.possibleTypes).map(([k, v]) => [k, [...v].sort()]))
    expect(generated).toEqual(expected)
    expect(generated.SendSmsToolCallResult).toEqual(['SendSmsError', 'SendSmsToolCallSuccess'])
  })
})

describe('OpenAI Realtime tool calls (client/toolCalls.ts)', () => {
  const call = { type: 'function_call', status: 'completed', call_id: 'call_1', name: 'send_details', arguments: '{"to":"+14155550123"}' }
  const done = (status: string, output: { type: string; status?: string }[]) => ({
    type: 'response.done',
    response: { id: 'resp_1', status, output },
  })
  it('texts for the function calls of a completed response only, never for an interrupted one', () => {
    const message = { type: 'message', status: 'completed', content: [] }
    expect(toolCallFrom.openaiRealtimeResponse(done('completed', [message, call]))).toEqual([
      { id: 'call_1', name: 'send_details', arguments: '{"to":"+14155550123"}' },
    ])
    expect(toolCallFrom.openaiRealtimeResponse(done('cancelled', [{ ...call, status: 'incomplete' }]))).toEqual([])
    expect(toolCallFrom.openaiRealtimeResponse(done('cancelled', [call]))).toEqual([])
    expect(toolCallFrom.openaiRealtimeResponse(done('incomplete', [call]))).toEqual([])
    expect(toolCallFrom.openaiRealtimeResponse(done('completed', [{ ...call, status: 'incomplete' }]))).toEqual([])
  })
})

describe('tool calls without an id of their own (client/toolCalls.ts)', () => {
  it('Gemini: the same call in one turn is one text; another turn asking again is another', () => {
    const fc = { name: 'send_details', args: { body: 'Your code is 1234.' } }
    expect(toolCallFrom.gemini(fc, 'call-1').id).toBe(toolCallFrom.gemini(fc, 'call-1').id)
    expect(toolCallFrom.gemini(fc, 'call-1', 'turn-1').id).toBe(toolCallFrom.gemini(fc, 'call-1', 'turn-1').id)
    expect(toolCallFrom.gemini(fc, 'call-1', 'turn-2').id).not.toBe(toolCallFrom.gemini(fc, 'call-1', 'turn-1').id)
    expect(toolCallFrom.gemini({ ...fc, id: 'fc_9' }, 'call-1', 'turn-1').id).toBe('fc_9')
  })

  it('MCP: JSON-RPC ids that restart in each session, or differ only in type, are told apart by the session', () => {
    const request = (id: string | number) => ({ id, params: { name: 'send_details', arguments: {} } })
    expect(toolCallFrom.mcp(request(1), 'session-a').id).not.toBe(toolCallFrom.mcp(request(1), 'session-b').id)
    expect(toolCallFrom.mcp(request(1), 'session-a').id).not.toBe(toolCallFrom.mcp(request('1'), 'session-a').id)
    expect(toolCallFrom.mcp(request(7)).id).toBe('mcp-7')
  })
})
