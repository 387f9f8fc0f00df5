import type { RecipientPolicy } from '../../generated/prisma/enums.js'
import { templateVariables } from '../sending/template.js'

export interface ToolAction {
  name: string
  description: string
  recipientPolicy: RecipientPolicy
  messageTemplate: string | null
}

export type AgentToolFormat = 'OPENAI' | 'ANTHROPIC'

interface JsonSchemaObject {
  type: 'object'
  properties: Record<string, { type: 'string'; description: string }>
  required: string[]
  additionalProperties: false
}

/** The JSON Schema of a tool's arguments: `to` only under ANY, then `body` or the template's variables. */
export function toolParameters(action: ToolAction): JsonSchemaObject {
  const properties: JsonSchemaObject['properties'] = {}
  const required: string[] = []
  if (action.recipientPolicy === 'ANY') {
    properties.to = {
      type: 'string',
      description: "Recipient's mobile number in E.164 format (e.g. +14155550123). Omit to text the caller.",
    }
  }
  if (action.messageTemplate) {
    for (const v of templateVariables(action.messageTemplate)) {
      properties[v] = { type: 'string', description: `Value for {{${v}}} in the message.` }
      required.push(v)
    }
  } else {
    properties.body = { type: 'string', description: 'The text message to send (plain text, at most 1600 characters).' }
    required.push('body')
  }
  return { type: 'object', properties, required, additionalProperties: false }
}

/** LLM tool definitions for the given actions, in OpenAI or Anthropic function-calling shape. */
export function agentTools(actions: ToolAction[], format: AgentToolFormat): unknown[] {
  return actions.map((a) => {
    const parameters = toolParameters(a)
    return format === 'OPENAI'
      ? { type: 'function', function: { name: a.name, description: a.description, parameters } }
      : { name: a.name, description: a.description, input_schema: parameters }
  })
}
