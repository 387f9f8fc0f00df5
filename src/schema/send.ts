import { type ErrorCode, SendSmsError } from '../errors.js'
import { agentMessageFor } from '../sms/agent/messages.js'
import type { SendInput } from '../sms/sending/input.js'
import type { PreviewOutcome, SendOutcome } from '../sms/sending/sendSms.js'
import { builder } from './builder.js'
import type { Context } from './context.js'
import { SmsEncoding } from './delivery.js'
import { ErrorInterface } from './errors.js'
import { SmsProvider } from './user.js'
import { byId } from './util.js'

builder.objectType(SendSmsError, {
  name: 'SendSmsError',
  description: 'Why a text was refused, with a sentence the voice agent can say or act on.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    agentMessage: t.exposeString('agentMessage', { description: 'One sentence the voice agent can say or act on.' }),
    retryable: t.exposeBoolean('retryable', {
      description: 'Whether sending the same request again later (same idempotencyKey) may succeed.',
    }),
    recordedDelivery: t.prismaField({
      type: 'SmsDelivery',
      nullable: true,
      description:
        'The REJECTED or FAILED delivery recorded for this attempt, if one was; for IDEMPOTENCY_CONFLICT, the delivery the key was first used for.',
      resolve: (query, e, _a, ctx) => (e.deliveryId ? ctx.services.db.smsDelivery.findUnique(byId(query, e.deliveryId)) : null),
    }),
  }),
})

export const SendSmsSuccess = builder.objectRef<SendOutcome>('SendSmsSuccess').implement({
  fields: (t) => ({
    delivery: t.prismaField({
      type: 'SmsDelivery',
      description: 'The delivery, as it stands once the provider answered (or after SEND_WAIT_MS).',
      // The row the send just wrote answers a selection of its own fields without another query.
      resolve: (query, p, _a, ctx) =>
        Object.keys(query).length === 0 ? p.delivery : ctx.services.db.smsDelivery.findUniqueOrThrow(byId(query, p.delivery.id)),
    }),
    agentMessage: t.exposeString('agentMessage', { description: 'One sentence for the voice agent: where the text is going.' }),
  }),
})

export const PreviewSmsSuccess = builder.objectRef<PreviewOutcome>('PreviewSmsSuccess').implement({
  fields: (t) => ({
    to: t.exposeString('to', { description: 'Who it would go to (E.164).' }),
    body: t.exposeString('body', { description: 'The text it would send.' }),
    segments: t.exposeInt('segments', { description: 'How many SMS segments it would take.' }),
    encoding: t.expose('encoding', { type: SmsEncoding, description: 'How it would be encoded.' }),
    provider: t.expose('provider', { type: SmsProvider, description: 'What would send it.' }),
    agentMessage: t.exposeString('agentMessage', { description: 'One sentence for the voice agent.' }),
  }),
})

export const CallContextInput = builder.inputType('CallContextInput', {
  description: 'The call a text is sent during.',
  fields: (t) => ({
    callId: t.string({ required: true, description: 'The call’s id, from the voice platform.' }),
    customerPhoneNumber: t.string({ required: true, description: "The caller's number (E.164)." }),
  }),
})

const SendSmsInput = builder.inputType('SendSmsInput', {
  description: 'A text the agent wants to send.',
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'The campaign of the call (the action must be attached to it).' }),
    smsActionId: t.id({ required: true, description: 'The action.' }),
    call: t.field({ type: CallContextInput, required: true, description: 'The call.' }),
    to: t.string({ description: 'Ignored under CALLER_ONLY; defaults to the caller.' }),
    body: t.string({ description: 'Required unless the action has a messageTemplate.' }),
    variables: t.field({ type: 'JSON', description: 'Template values.' }),
    idempotencyKey: t.string({
      description:
        'e.g. the LLM tool-call id: on one call, the same key and input give the same delivery (and the same key with another input IDEMPOTENCY_CONFLICT). Keys count per call.',
    }),
    callerAgreed: t.boolean({ description: 'The caller said yes to receiving this text (required by actions with requiresConsent).' }),
  }),
})

const refuse = (code: ErrorCode, message: string) => new SendSmsError(code, message, agentMessageFor(code))
export const refuseAccess = (_p: unknown, _a: unknown, ctx: Context) => {
  if (ctx.refusal) return refuse(ctx.refusal.code, ctx.refusal.message)
  return ctx.auth ? refuse('FORBIDDEN', 'This key may not send texts') : refuse('UNAUTHENTICATED', 'A valid API key is required')
}

const toInput = (input: typeof SendSmsInput.$inferInput): SendInput => ({
  ...input,
  campaignId: String(input.campaignId),
  smsActionId: String(input.smsActionId),
  variables: input.variables as SendInput['variables'],
})

builder.mutationFields((t) => ({
  sendSms: t.withAuth({ agent: true }).field({
    type: SendSmsSuccess,
    description: 'Sends a text during a call: checked, recorded, handed to the provider; answers within SEND_WAIT_MS.',
    unauthorizedError: refuseAccess,
    errors: { types: [SendSmsError], directResult: true },
    args: { input: t.arg({ type: SendSmsInput, required: true, description: 'The text.' }) },
    resolve: (_r, { input }, ctx) => ctx.services.sending.send(ctx.auth.userId, toInput(input)),
  }),
  previewSms: t.withAuth({ agent: true }).field({
    type: PreviewSmsSuccess,
    description: 'Dry run: the same checks and rendering as sendSms; nothing is sent or stored.',
    unauthorizedError: refuseAccess,
    errors: { types: [SendSmsError], directResult: true },
    args: { input: t.arg({ type: SendSmsInput, required: true, description: 'The text.' }) },
    resolve: (_r, { input }, ctx) => ctx.services.sending.preview(ctx.auth.userId, toInput(input)),
  }),
}))
