import type { ErrorObject } from 'ajv'
import type { Stores } from '../../stores/index.js'
import { parseCallContext, parseToolName } from '../sending/input.js'
import { refuse } from '../sending/refusals.js'
import type { PreviewOutcome, Sending, SendOutcome } from '../sending/sendSms.js'
import { deliveryTruth } from './deliveryTruth.js'
import { DELIVERY_STATUS_TOOL, toolParameters } from './tools.js'
import { ArgumentValidators } from './validators.js'

/** A tool call as the LLM produced it: its id, the tool's name, and the arguments (a JSON string or object). */
export interface ToolCall {
  id: string
  name: string
  arguments?: unknown
}

export interface ToolCallInput {
  campaignId: string
  call: { callId: string; customerPhoneNumber: string }
  toolCall: ToolCall
}

/** What the runtime hands back to the LLM as the tool's result, beside what happened. */
export type ToolCallOutcome<T> = { toolResult: string; outcome?: T }

const validators = new ArgumentValidators()
/** How many of a call's latest deliveries the status sentence is made from (more than it tells one by one). */
const CALL_TEXTS_READ = 20

/** One sentence the LLM can act on, from what was wrong with its arguments. */
function whatToFix(tool: string, errors: ErrorObject[], allowed: string[]): string {
  const missing = errors.filter((e) => e.keyword === 'required').map((e) => e.params.missingProperty as string)
  const unknown = errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.params.additionalProperty as string)
  // Each parameter with what it must be: its own expected type, not its neighbours'.
  const wrong = errors
    .filter((e) => e.keyword === 'type')
    .map((e) => `${e.instancePath.slice(1)} must be ${String(e.params.type).includes('boolean') ? 'true or false' : 'text'}`)
  if (missing.length) return `Call ${tool} again with its missing parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`
  if (unknown.length)
    return `${tool} has no parameter ${unknown.join(', ')}; call it again with only: ${allowed.join(', ') || 'no parameters'}.`
  if (wrong.length) return `Call ${tool} again: ${wrong.join('; ')}.`
  return `Call ${tool} again with a JSON object of its parameters.`
}

/**
 * Tool calls as the LLM made them: the tool is found by name among the campaign's actions, its
 * arguments are checked against the schema agentTools published, split into recipient, body and
 * variables, and sent with the tool call's id as the idempotency key. The companion
 * delivery-status tool (a campaign's option) is answered too.
 */
export class ToolCalls {
  constructor(private readonly deps: { stores: Pick<Stores, 'campaigns' | 'deliveries'>; sending: Sending }) {}

  send(userId: string, input: ToolCallInput): Promise<ToolCallOutcome<SendOutcome>> {
    return this.handle(userId, input, (send) => this.deps.sending.send(userId, send))
  }

  preview(userId: string, input: ToolCallInput): Promise<ToolCallOutcome<PreviewOutcome>> {
    return this.handle(userId, input, (send) => this.deps.sending.preview(userId, send))
  }

  /** Whether a call's latest texts arrived, in words for the agent (what the delivery-status tool answers). */
  async callStatus(userId: string, callId: string, campaignId?: string) {
    const deliveries = await this.deps.stores.deliveries.forCall(userId, callId, campaignId, CALL_TEXTS_READ)
    return { sentence: deliveryTruth(deliveries), deliveryIds: deliveries.map((d) => d.id) }
  }

  private async handle<T extends { agentMessage: string }>(
    userId: string,
    { campaignId, call: raw, toolCall }: ToolCallInput,
    run: (send: Parameters<Sending['send']>[1]) => Promise<T>,
  ): Promise<ToolCallOutcome<T>> {
    const call = parseCallContext(raw)
    parseToolName(toolCall.name)
    const campaign = await this.deps.stores.campaigns.tools(userId, campaignId)
    if (!campaign) throw refuse('NOT_FOUND', 'Campaign not found')
    if (campaign.deliveryStatusTool && toolCall.name === DELIVERY_STATUS_TOOL.name) {
      return { toolResult: (await this.callStatus(userId, call.callId, campaign.id)).sentence }
    }
    const actions = campaign.smsActions.map((a) => a.smsAction)
    const action = actions.find((a) => a.name === toolCall.name)
    // Switched off since the agent got its tools: sent to sendSms as it is (its arguments unchecked:
    // no schema is published for it), which records it and says ACTION_DISABLED.
    const disabled = action ? undefined : await this.deps.stores.campaigns.disabledTool(campaign.id, toolCall.name)
    if (disabled)
      return this.outcome(await run({ campaignId, smsActionId: disabled, call, ...sendFields(argumentsOrNone(toolCall), toolCall) }))
    if (!action) {
      const names = [...actions.map((a) => a.name), ...(campaign.deliveryStatusTool ? [DELIVERY_STATUS_TOOL.name] : [])]
      throw refuse(
        'NOT_FOUND',
        `No tool named ${toolCall.name} on this campaign`,
        `There is no tool named ${toolCall.name}; the tools are: ${names.join(', ') || 'none'}.`,
      )
    }
    const args = parseArguments(toolCall)
    const validate = validators.for(action)
    if (!validate(args)) {
      const allowed = Object.keys(toolParameters(action))
      throw refuse(
        'VALIDATION',
        `arguments: ${validators.errorsText(validate.errors)}`,
        whatToFix(action.name, validate.errors ?? [], allowed),
      )
    }
    return this.outcome(await run({ campaignId, smsActionId: action.id, call, ...sendFields(args, toolCall) }))
  }

  private outcome<T extends { agentMessage: string }>(outcome: T): ToolCallOutcome<T> {
    return { toolResult: outcome.agentMessage, outcome }
  }
}

/** What a tool call's arguments ask of sendSms, with the call's id as the idempotency key. */
function sendFields(args: unknown, toolCall: ToolCall) {
  const { to, body, callerAgreed, ...variables } = (args ?? {}) as Record<string, unknown>
  return {
    to: typeof to === 'string' ? to : null,
    body: typeof body === 'string' ? body : null,
    variables: Object.fromEntries(Object.entries(variables).filter((e): e is [string, string] => typeof e[1] === 'string')),
    callerAgreed: callerAgreed === true,
    idempotencyKey: toolCall.id,
  }
}

/** The arguments, or none when they are not JSON (a tool switched off answers so whatever they are). */
function argumentsOrNone(toolCall: ToolCall): unknown {
  try {
    return parseArguments(toolCall)
  } catch {
    return {}
  }
}

/** The arguments as an object: the LLM's JSON string parsed, or the object given. */
function parseArguments(toolCall: ToolCall): unknown {
  if (typeof toolCall.arguments !== 'string') return toolCall.arguments ?? {}
  try {
    return toolCall.arguments.trim() === '' ? {} : JSON.parse(toolCall.arguments)
  } catch {
    throw refuse(
      'VALIDATION',
      'arguments: not valid JSON',
      `The arguments of ${toolCall.name} were not valid JSON; call it again with a JSON object of its parameters.`,
    )
  }
}
