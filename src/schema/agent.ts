import { SendSmsError } from '../errors.js'
import type { ToolCallOutcome } from '../sms/agent/toolCalls.js'
import type { PreviewOutcome, SendOutcome } from '../sms/sending/sendSms.js'
import { builder } from './builder.js'
import { viewerOf } from './context.js'
import { SmsDelivery } from './delivery.js'
import { CallContextInput, PreviewSmsSuccess, refuseAccess, SendSmsSuccess } from './send.js'
import { callIdArg } from './util.js'

const ToolCallInput = builder.inputType('ToolCallInput', {
  description: 'A tool call as the LLM produced it.',
  fields: (t) => ({
    id: t.string({ required: true, description: 'The tool call’s id: used as the idempotency key, so a retried call never texts twice.' }),
    name: t.string({ required: true, description: 'The tool’s name (an action’s name, or check_text_delivery).' }),
    arguments: t.field({ type: 'JSON', required: true, description: 'The arguments: the JSON string the LLM produced, or the object.' }),
  }),
})

const SmsToolCallInput = builder.inputType('SmsToolCallInput', {
  description: 'A tool call the LLM made on a call.',
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'The campaign whose agentTools the LLM was given.' }),
    call: t.field({ type: CallContextInput, required: true, description: 'The call the tool call happened on.' }),
    toolCall: t.field({ type: ToolCallInput, required: true, description: 'The tool call.' }),
  }),
})

const SendSmsToolCallSuccess = builder.objectRef<ToolCallOutcome<SendOutcome>>('SendSmsToolCallSuccess').implement({
  description: 'The tool call was handled: return toolResult to the LLM as the tool’s result.',
  fields: (t) => ({
    toolResult: t.exposeString('toolResult', { description: 'One sentence for the LLM: the tool’s result.' }),
    sent: t.field({
      type: SendSmsSuccess,
      nullable: true,
      description: 'The text it sent (null for the delivery-status tool).',
      resolve: (r) => r.outcome ?? null,
    }),
  }),
})

const PreviewSmsToolCallSuccess = builder.objectRef<ToolCallOutcome<PreviewOutcome>>('PreviewSmsToolCallSuccess').implement({
  description: 'What the tool call would do; nothing was sent or stored.',
  fields: (t) => ({
    toolResult: t.exposeString('toolResult', { description: 'One sentence for the LLM: the tool’s result.' }),
    preview: t.field({
      type: PreviewSmsSuccess,
      nullable: true,
      description: 'The text it would send (null for the delivery-status tool).',
      resolve: (r) => r.outcome ?? null,
    }),
  }),
})

const toInput = (input: typeof SmsToolCallInput.$inferInput) => ({ ...input, campaignId: String(input.campaignId) })

builder.mutationFields((t) => ({
  sendSmsToolCall: t.withAuth({ agent: true }).field({
    type: SendSmsToolCallSuccess,
    description:
      'Handles one tool call of the campaign’s agentTools: finds the action by the tool’s name, checks the arguments against its published schema, and sends (the tool call id is the idempotency key). An error’s agentMessage is the tool result.',
    unauthorizedError: refuseAccess,
    errors: { types: [SendSmsError], directResult: true },
    args: { input: t.arg({ type: SmsToolCallInput, required: true, description: 'The tool call.' }) },
    resolve: (_r, { input }, ctx) => ctx.services.toolCalls.send(ctx.auth.userId, toInput(input)),
  }),
  previewSmsToolCall: t.withAuth({ agent: true }).field({
    type: PreviewSmsToolCallSuccess,
    description: 'Dry run of sendSmsToolCall: the same checks; nothing is sent or stored.',
    unauthorizedError: refuseAccess,
    errors: { types: [SendSmsError], directResult: true },
    args: { input: t.arg({ type: SmsToolCallInput, required: true, description: 'The tool call.' }) },
    resolve: (_r, { input }, ctx) => ctx.services.toolCalls.preview(ctx.auth.userId, toInput(input)),
  }),
}))

const CallTextStatus = builder.objectRef<{ sentence: string; deliveryIds: string[] }>('CallTextStatus').implement({
  description: 'Whether the texts of a call arrived, as the agent can say it.',
  fields: (t) => ({
    sentence: t.exposeString('sentence', { description: 'One sentence (or a few) about the call’s latest texts, for the agent.' }),
    deliveries: t.prismaField({
      type: [SmsDelivery],
      description: 'The call’s latest texts, newest first.',
      resolve: (query, r, _a, ctx) =>
        ctx.services.db.smsDelivery.findMany({
          ...query,
          where: { id: { in: r.deliveryIds } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    }),
  }),
})

builder.queryFields((t) => ({
  callTextStatus: t.field({
    type: CallTextStatus,
    description: 'Whether a call’s texts were delivered: what the delivery-status tool answers the agent.',
    authScopes: { reader: true },
    args: {
      callId: t.arg.string({ required: true, validate: callIdArg, description: 'The call.' }),
      campaignId: t.arg.id({ description: 'Only the texts of this campaign.' }),
    },
    resolve: (_r, args, ctx) =>
      ctx.services.toolCalls.callStatus(viewerOf(ctx).userId, args.callId, args.campaignId ? String(args.campaignId) : undefined),
  }),
}))
