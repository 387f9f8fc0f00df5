import { userIdOf } from '../auth.js'
import { db } from '../db.js'
import { SendSmsError } from '../errors.js'
import { agentMessageFor } from '../sms/agentMessages.js'
import { dispatcher } from '../sms/index.js'
import { type Accepted, previewSms, sendSms } from '../sms/pipeline.js'
import { builder } from './builder.js'
import { SmsEncoding } from './delivery.js'
import { ErrorInterface } from './errors.js'
import { SmsProvider } from './user.js'
import { nonEmpty } from './util.js'

builder.objectType(SendSmsError, {
  name: 'SendSmsError',
  description: 'Why a text was refused, with a sentence the voice agent can say or act on.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    agentMessage: t.exposeString('agentMessage'),
    recordedDelivery: t.prismaField({
      type: 'SmsDelivery',
      nullable: true,
      description: 'The REJECTED or FAILED delivery recorded for this attempt, if one was.',
      resolve: (query, e) => (e.deliveryId ? db.smsDelivery.findUnique({ ...nonEmpty(query), where: { id: e.deliveryId } }) : null),
    }),
  }),
})

const SendSmsSuccess = builder.objectRef<Accepted>('SendSmsSuccess').implement({
  fields: (t) => ({
    delivery: t.prismaField({
      type: 'SmsDelivery',
      // The row the send just wrote answers a selection of its own fields without another query.
      resolve: (query, p) =>
        p.delivery && Object.keys(query).length === 0
          ? p.delivery
          : db.smsDelivery.findUniqueOrThrow({ ...nonEmpty(query), where: { id: p.deliveryId } }),
    }),
    agentMessage: t.exposeString('agentMessage'),
  }),
})

const PreviewSmsSuccess = builder
  .objectRef<{ to: string; body: string; segments: number; encoding: 'GSM7' | 'UCS2'; provider: 'TWILIO' | 'ATLAS'; agentMessage: string }>(
    'PreviewSmsSuccess',
  )
  .implement({
    fields: (t) => ({
      to: t.exposeString('to'),
      body: t.exposeString('body'),
      segments: t.exposeInt('segments'),
      encoding: t.expose('encoding', { type: SmsEncoding }),
      provider: t.expose('provider', { type: SmsProvider }),
      agentMessage: t.exposeString('agentMessage'),
    }),
  })

const CallContextInput = builder.inputType('CallContextInput', {
  fields: (t) => ({
    callId: t.string({ required: true }),
    customerPhoneNumber: t.string({ required: true, description: "The caller's number (E.164)." }),
  }),
})

const SendSmsInput = builder.inputType('SendSmsInput', {
  fields: (t) => ({
    campaignId: t.id({ required: true }),
    smsActionId: t.id({ required: true }),
    call: t.field({ type: CallContextInput, required: true }),
    to: t.string({ description: 'Ignored under CALLER_ONLY; defaults to the caller.' }),
    body: t.string({ description: 'Required unless the action has a messageTemplate.' }),
    variables: t.field({ type: 'JSON', description: 'Template values.' }),
    idempotencyKey: t.string({ description: 'e.g. the LLM tool-call id: the same key and input give the same delivery.' }),
  }),
})

const refuseAccess = (_p: unknown, _a: unknown, ctx: { auth: unknown }) =>
  ctx.auth
    ? new SendSmsError('FORBIDDEN', 'This key may not send texts', agentMessageFor('FORBIDDEN'))
    : new SendSmsError('UNAUTHENTICATED', 'A valid API key is required', agentMessageFor('UNAUTHENTICATED'))

const toInput = (input: typeof SendSmsInput.$inferInput) => ({
  ...input,
  campaignId: String(input.campaignId),
  smsActionId: String(input.smsActionId),
  variables: input.variables as Record<string, string | number | boolean> | null | undefined,
})

builder.mutationFields((t) => ({
  sendSms: t.field({
    type: SendSmsSuccess,
    authScopes: { agent: true },
    unauthorizedError: refuseAccess,
    errors: { types: [SendSmsError], directResult: true },
    args: { input: t.arg({ type: SendSmsInput, required: true }) },
    resolve: (_r, { input }, ctx) => sendSms(userIdOf(ctx.auth), toInput(input), dispatcher),
  }),
  previewSms: t.field({
    type: PreviewSmsSuccess,
    description: 'Dry run: the same checks and rendering as sendSms; nothing is sent or stored.',
    authScopes: { agent: true },
    unauthorizedError: refuseAccess,
    errors: { types: [SendSmsError], directResult: true },
    args: { input: t.arg({ type: SendSmsInput, required: true }) },
    resolve: (_r, { input }, ctx) => previewSms(userIdOf(ctx.auth), toInput(input)),
  }),
}))
