import { z } from 'zod'
import { LimitReachedError, NotFoundError, ValidationError } from '../errors.js'
import { ATLAS_SENDER } from '../sms/sender.js'
import { e164Of } from '../sms/sending/phone.js'
import type { OptOutSource as OptOutSourceValue } from '../stores/optOuts.js'
import { builder } from './builder.js'
import { viewerOf } from './context.js'
import { mutationErrors } from './errors.js'
import { byId, connectionCost, PAGE } from './util.js'

const OptOutSource = builder.enumType('OptOutSource', {
  description: 'Where an opt-out came from.',
  values: {
    TWILIO_21610: { description: 'Twilio refused a text with error 21610: the number had replied STOP to that sender.' },
    INBOUND_STOP: { description: 'The number replied STOP (or UNSUBSCRIBE, CANCEL, END, QUIT…) to one of the texts.' },
    OWNER: { description: 'The owner added it.' },
  } satisfies Record<OptOutSourceValue, { description: string }>,
})

export const OptOut = builder.prismaObject('OptOut', {
  description: 'A number that must not be texted from a sender: texts to it are refused with OPTED_OUT.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The opt-out’s id.' }),
    phone: t.exposeString('phone', { description: 'The number that opted out (E.164).' }),
    sender: t.exposeString('sender', { description: 'The sender it opted out of: a Twilio number, or ATLAS.' }),
    source: t.field({ type: OptOutSource, description: 'Where it came from.', resolve: (o) => o.source as OptOutSourceValue }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When.' }),
  }),
})

const OptOutConnection = builder.connectionObject({ type: OptOut, name: 'OptOutConnection' })

const e164 = (field: string, raw: string, near?: string) => {
  const phone = e164Of(raw, near)
  if (!phone) throw new ValidationError(`${field}: ${raw} is not a valid phone number`, field)
  return phone
}
/** The sender and number of an input, in E.164 (the number may be national in the sender's country). */
const senderAndPhone = (input: { sender: string; phone: string }) => {
  const sender = input.sender.toUpperCase() === ATLAS_SENDER ? ATLAS_SENDER : e164('input.sender', input.sender)
  return { sender, phone: e164('input.phone', input.phone, sender === ATLAS_SENDER ? undefined : sender) }
}

const OptOutInput = builder.inputType('OptOutInput', {
  description: 'A number and a sender.',
  fields: (t) => ({
    phone: t.string({
      required: true,
      validate: z.string().max(40),
      description: 'The number (E.164, or national in the sender’s country).',
    }),
    sender: t.string({ required: true, validate: z.string().max(40), description: 'A Twilio number of the account (E.164), or ATLAS.' }),
  }),
})

builder.queryFields((t) => ({
  optOuts: t.prismaConnection(
    {
      type: 'OptOut',
      cursor: 'id',
      ...PAGE,
      complexity: connectionCost,
      description: 'The numbers that opted out of the user’s senders, newest first.',
      authScopes: { owner: true },
      args: {
        phone: t.arg.string({ description: 'Only this number’s (E.164).' }),
        sender: t.arg.string({ description: 'Only this sender’s (a Twilio number, or ATLAS).' }),
      },
      resolve: (query, _r, args, ctx) =>
        ctx.services.db.optOut.findMany({
          ...query,
          where: {
            userId: viewerOf(ctx).userId,
            ...(args.phone ? { phone: e164Of(args.phone) ?? args.phone } : {}),
            ...(args.sender ? { sender: e164Of(args.sender) ?? args.sender.toUpperCase() } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    OptOutConnection,
  ),
}))

builder.mutationFields((t) => ({
  addOptOut: t.withAuth({ owner: true }).prismaField({
    type: 'OptOut',
    description: 'Stops texts to a number from a sender (as if it had replied STOP).',
    errors: { ...mutationErrors(LimitReachedError), dataField: { name: 'optOut' } },
    args: { input: t.arg({ type: OptOutInput, required: true, description: 'The number and the sender.' }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { sender, phone } = senderAndPhone(input)
      const cap = ctx.services.config.limits.optOutsAddedPerUser
      const { id } = await ctx.services.stores.optOuts.add(ctx.auth.userId, sender, phone, cap)
      return ctx.services.db.optOut.findUniqueOrThrow(byId(query, id))
    },
  }),
  removeOptOut: t.withAuth({ owner: true }).field({
    type: builder.objectRef<{ removedId: string }>('RemoveOptOutSuccess').implement({
      description: 'The number may be texted from that sender again.',
      fields: (f) => ({ removedId: f.exposeID('removedId', { description: 'The id of the removed opt-out.' }) }),
    }),
    description: 'Lets a sender text a number again (as if it had replied START).',
    errors: { ...mutationErrors(NotFoundError), directResult: true },
    args: { id: t.arg.id({ required: true, description: 'The opt-out’s id.' }) },
    resolve: async (_r, { id }, ctx) => {
      const { optOuts } = ctx.services.stores
      const found = await optOuts.owned(ctx.auth.userId, String(id))
      if (!found) throw new NotFoundError('Opt-out')
      await optOuts.remove(ctx.auth.userId, found.sender, found.phone)
      return { removedId: found.id }
    },
  }),
}))
