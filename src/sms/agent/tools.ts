import type { RecipientPolicy } from '../../generated/prisma/enums.js'
import { templateVariables } from '../sending/template.js'

/** What a tool definition is made of: an attached, enabled action. */
export interface ToolAction {
  name: string
  description: string
  recipientPolicy: RecipientPolicy
  messageTemplate: string | null
  requiresConsent: boolean
}

/** The LLM APIs whose tool shapes agentTools speaks. OPENAI is OPENAI_CHAT under its first name. */
export const AGENT_TOOL_FORMATS = ['OPENAI', 'OPENAI_CHAT', 'OPENAI_RESPONSES', 'OPENAI_REALTIME', 'ANTHROPIC', 'GEMINI', 'MCP'] as const
export type AgentToolFormat = (typeof AGENT_TOOL_FORMATS)[number]

/** The parameters a tool has of its own: a template placeholder may not take their names. */
export const TOOL_PARAMETERS = ['to', 'body', 'callerAgreed'] as const

/** The companion tool that tells the agent whether the call's texts arrived (a campaign's option). */
export const DELIVERY_STATUS_TOOL = {
  name: 'check_text_delivery',
  description:
    'Use this before telling the caller a text reached them, or when they say it has not arrived: it says whether each text sent on this call was delivered, and what to do if one was not.',
}

interface Parameter {
  type: 'string' | 'boolean'
  description: string
  required: boolean
}

/** A tool's parameters: `to` only under ANY; the template's variables, or `body`; `callerAgreed` when consent is required. */
export function toolParameters(action: ToolAction): Record<string, Parameter> {
  const params: Record<string, Parameter> = {}
  if (action.recipientPolicy === 'ANY') {
    params.to = {
      type: 'string',
      description: "Recipient's mobile number in E.164 format (e.g. +14155550123); null or omitted to text the caller.",
      required: false,
    }
  }
  if (action.messageTemplate) {
    for (const v of templateVariables(action.messageTemplate)) {
      params[v] = { type: 'string', description: `Value for {{${v}}} in the message.`, required: true }
    }
  } else {
    params.body = { type: 'string', description: 'The text message to send (plain text, at most 1600 characters).', required: true }
  }
  if (action.requiresConsent) {
    params.callerAgreed = {
      type: 'boolean',
      description: 'true only once the caller has said yes to receiving this text; ask them first.',
      required: true,
    }
  }
  return params
}

type Schema = Record<string, unknown>

/**
 * The JSON Schema of a tool's arguments. Strict (OpenAI's structured outputs): every property is
 * required, an optional one may be null. Otherwise optional properties are simply not required.
 */
export function argumentsSchema(params: Record<string, Parameter>, strict: boolean): Schema {
  const properties = Object.fromEntries(
    Object.entries(params).map(([name, p]) => [
      name,
      { type: strict && !p.required ? [p.type, 'null'] : p.type, description: p.description },
    ]),
  )
  const required = Object.entries(params)
    .filter(([, p]) => strict || p.required)
    .map(([name]) => name)
  return { type: 'object', properties, required, additionalProperties: false }
}

/** Gemini's schema (an OpenAPI subset: no additionalProperties, optional fields marked nullable). */
function geminiSchema(params: Record<string, Parameter>): Schema {
  const properties = Object.fromEntries(
    Object.entries(params).map(([name, p]) => [
      name,
      { type: p.type, description: p.description, ...(p.required ? {} : { nullable: true }) },
    ]),
  )
  return {
    type: 'object',
    properties,
    required: Object.entries(params)
      .filter(([, p]) => p.required)
      .map(([name]) => name),
  }
}

/** One tool in one API's documented shape. */
function shaped(format: AgentToolFormat, name: string, description: string, params: Record<string, Parameter>): unknown {
  switch (format) {
    case 'OPENAI':
    case 'OPENAI_CHAT':
      return { type: 'function', function: { name, description, parameters: argumentsSchema(params, true), strict: true } }
    case 'OPENAI_RESPONSES':
      return { type: 'function', name, description, parameters: argumentsSchema(params, true), strict: true }
    case 'OPENAI_REALTIME':
      return { type: 'function', name, description, parameters: argumentsSchema(params, true) }
    case 'ANTHROPIC':
      return { name, description, input_schema: argumentsSchema(params, false) }
    case 'GEMINI':
      // Gemini refuses an OBJECT without properties (400 "should be non-empty for OBJECT type"): a tool without parameters has none.
      return Object.keys(params).length ? { name, description, parameters: geminiSchema(params) } : { name, description }
    case 'MCP':
      return { name, description, inputSchema: argumentsSchema(params, false) }
  }
}

/** LLM tool definitions of the given actions (and the delivery-status tool when offered), in one API's shape. */
export function agentTools(actions: ToolAction[], format: AgentToolFormat, withDeliveryStatus = false): unknown[] {
  const tools = actions.map((a) => shaped(format, a.name, a.description, toolParameters(a)))
  if (withDeliveryStatus) tools.push(shaped(format, DELIVERY_STATUS_TOOL.name, DELIVERY_STATUS_TOOL.description, {}))
  return tools
}
