import { z } from 'zod'
import { AlreadyExistsError, LimitReachedError, NotFoundError, ProviderError } from '../errors.js'
import type { RecipientPolicy as RecipientPolicyValues } from '../generated/prisma/enums.js'
import { DELIVERY_STATUS_TOOL, TOOL_PARAMETERS } from '../sms/agent/tools.js'
import { templateProblem, templateVariables } from '../sms/sending/template.js'
import { cleanText } from '../text.js'
import { builder } from './builder.js'
import { mutationErrors } from './errors.js'
import { SmsProvider } from './user.js'
import { byId } from './util.js'

export const RecipientPolicy = builder.enumType('RecipientPolicy', {
  description: 'Who an action may text.',
  values: {
    CALLER_ONLY: { description: 'The server always texts the caller (call.customerPhoneNumber).' },
    ANY: { description: 'The agent chooses the recipient; it defaults to the caller.' },
  } satisfies Record<keyof typeof RecipientPolicyValues, object>,
})

export const SmsAction = builder.prismaObject('SmsAction', {
  description: 'A text the agent can send during a call: a tool the LLM sees, once attached to a campaign.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The action’s id.' }),
    name: t.exposeString('name', { description: 'The tool’s name, as the LLM sees it.' }),
    description: t.exposeString('description', { description: 'When the agent should send it: the tool’s description.' }),
    provider: t.expose('provider', { type: SmsProvider, description: 'What sends it.' }),
    fromNumber: t.exposeString('fromNumber', { nullable: true, description: 'TWILIO: the number of the user’s account it is sent from.' }),
    recipientPolicy: t.expose('recipientPolicy', { type: RecipientPolicy, description: 'Who it may go to.' }),
    messageTemplate: t.exposeString('messageTemplate', {
      nullable: true,
      description: 'The text, with {{name}} placeholders the agent fills; null: the agent writes the body.',
    }),
    maxPerCall: t.exposeInt('maxPerCall', { description: 'How many times it may be sent on one call.' }),
    requiresConsent: t.exposeBoolean('requiresConsent', {
      description: 'Whether the agent must say the caller agreed (the tool’s required callerAgreed) before it is sent.',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the agent may use it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
})

const rules = {
  // Every LLM API's tool name rules at once: Gemini's is the narrowest (a letter or _ first).
  name: z
    .string()
    .regex(
      /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/,
      'must be 1-64 letters, digits, _ or -, starting with a letter or _ (it is the function name the LLM sees)',
    )
    .refine((v) => v !== DELIVERY_STATUS_TOOL.name, `${DELIVERY_STATUS_TOOL.name} is the name of the delivery-status tool`),
  description: cleanText().trim().min(1, 'must not be empty: it tells the agent when to send').max(1024),
  fromNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123'),
  messageTemplate: cleanText()
    .trim()
    .min(1, 'must not be blank: a blank template can never send (omit it to let the agent write the body)')
    .max(1600)
    .superRefine((v, ctx) => {
      const problem = templateProblem(v)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
      const taken = templateVariables(v).filter((name) => (TOOL_PARAMETERS as readonly string[]).includes(name))
      if (taken.length)
        ctx.addIssue({ code: 'custom', message: `{{${taken[0]}}} is a parameter of the tool itself; name the placeholder otherwise` })
    }),
  maxPerCall: z.number().int().min(1, 'must be between 1 and 20').max(20, 'must be between 1 and 20'),
}

const CreateSmsActionInput = builder.inputType('CreateSmsActionInput', {
  description: 'A new SMS action.',
  fields: (t) => ({
    name: t.string({
      required: true,
      validate: rules.name,
      description: 'The tool’s name, as the LLM sees it (unique among the user’s actions).',
    }),
    description: t.string({
      required: true,
      validate: rules.description,
      description: 'When the agent should send it (the tool’s description).',
    }),
    provider: t.field({ type: SmsProvider, description: 'Default: the only enabled provider.' }),
    fromNumber: t.string({ validate: rules.fromNumber, description: 'TWILIO: the number of the user’s account to send from (E.164).' }),
    recipientPolicy: t.field({ type: RecipientPolicy, description: 'Default: ANY.' }),
    messageTemplate: t.string({
      validate: rules.messageTemplate,
      description: 'The text, with {{name}} placeholders the agent fills; omit to let the agent write the body.',
    }),
    maxPerCall: t.int({ description: 'Default: 3 (1..20).', validate: rules.maxPerCall }),
    requiresConsent: t.boolean({ description: 'The agent must say the caller agreed before it is sent. Default: false.' }),
    enabled: t.boolean({ description: 'Default: true.' }),
  }),
})

const UpdateSmsActionInput = builder.inputType('UpdateSmsActionInput', {
  description: 'Omitted fields keep their value; null clears fromNumber and messageTemplate.',
  fields: (t) => ({
    name: t.string({ validate: rules.name, description: 'The tool’s name.' }),
    description: t.string({ validate: rules.description, description: 'When the agent should send it.' }),
    provider: t.field({ type: SmsProvider, description: 'What sends it.' }),
    fromNumber: t.string({ validate: rules.fromNumber, description: 'TWILIO: the number to send from; null clears it.' }),
    recipientPolicy: t.field({ type: RecipientPolicy, description: 'Who it may go to.' }),
    messageTemplate: t.string({ validate: rules.messageTemplate, description: 'The template; null lets the agent write the body.' }),
    maxPerCall: t.int({ validate: rules.maxPerCall, description: 'Sends per call (1..20).' }),
    requiresConsent: t.boolean({ description: 'The agent must say the caller agreed before it is sent.' }),
    enabled: t.boolean({ description: 'Whether the agent may use it.' }),
  }),
})

const DeleteSmsActionSuccess = builder.objectRef<{ deletedId: string }>('DeleteSmsActionSuccess').implement({
  fields: (t) => ({ deletedId: t.exposeID('deletedId', { description: 'The id of the deleted action (its past deliveries keep it).' }) }),
})

builder.queryFields((t) => ({
  smsActions: t.withAuth({ reader: true }).prismaField({
    type: ['SmsAction'],
    description: 'The user’s actions (deleted ones left out), oldest first.',
    resolve: (query, _r, _a, ctx) =>
      ctx.services.db.smsAction.findMany({ ...query, where: { userId: ctx.auth.userId, deletedAt: null }, orderBy: { createdAt: 'asc' } }),
  }),
  smsAction: t.withAuth({ reader: true }).prismaField({
    type: 'SmsAction',
    nullable: true,
    description: 'One of the user’s actions; null when it is not theirs or was deleted.',
    args: { id: t.arg.id({ required: true, description: 'The action’s id.' }) },
    resolve: (query, _r, { id }, ctx) =>
      ctx.services.db.smsAction.findFirst({ ...query, where: { id: String(id), userId: ctx.auth.userId, deletedAt: null } }),
  }),
}))

builder.mutationFields((t) => ({
  createSmsAction: t.withAuth({ owner: true }).prismaField({
    type: 'SmsAction',
    description: 'Creates an SMS action (a Twilio one only with the account’s credentials and a number it owns).',
    errors: { ...mutationErrors(ProviderError, AlreadyExistsError, LimitReachedError), dataField: { name: 'smsAction' } },
    args: { input: t.arg({ type: CreateSmsActionInput, required: true, description: 'The action.' }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { actionSettings, stores, db } = ctx.services
      const { userId } = ctx.auth
      const { provider, fromNumber } = await actionSettings.resolve(userId, input, true)
      const created = await stores.actions.create(
        userId,
        {
          name: input.name,
          description: input.description,
          provider,
          fromNumber,
          recipientPolicy: input.recipientPolicy ?? 'ANY',
          messageTemplate: input.messageTemplate ?? null,
          maxPerCall: input.maxPerCall ?? 3,
          requiresConsent: input.requiresConsent ?? false,
          enabled: input.enabled ?? true,
        },
        ctx.services.config.limits.actionsPerUser,
      )
      return db.smsAction.findUniqueOrThrow(byId(query, created.id))
    },
  }),
  updateSmsAction: t.withAuth({ owner: true }).prismaField({
    type: 'SmsAction',
    description: 'Changes an SMS action (the Twilio number is checked again when it or the provider changes).',
    errors: { ...mutationErrors(NotFoundError, ProviderError, AlreadyExistsError), dataField: { name: 'smsAction' } },
    args: {
      id: t.arg.id({ required: true, description: 'The action’s id.' }),
      input: t.arg({ type: UpdateSmsActionInput, required: true, description: 'What changes.' }),
    },
    resolve: async (query, _r, { id, input }, ctx) => {
      const { actionSettings, stores, db } = ctx.services
      const { userId } = ctx.auth
      const current = await stores.actions.owned(userId, String(id))
      const provider = input.provider ?? current.provider
      // A switch to ATLAS drops the Twilio number unless one is given (which ATLAS refuses).
      const kept = provider === 'ATLAS' && input.provider ? null : current.fromNumber
      const fromNumber = input.fromNumber === undefined ? kept : input.fromNumber
      // Only a change of provider or number is checked against the account: disabling or renaming
      // an action must work after its credentials were cleared or its provider switched off.
      const settings =
        provider !== current.provider || fromNumber !== current.fromNumber
          ? await actionSettings.resolve(userId, { provider, fromNumber }, true)
          : { provider: current.provider, fromNumber: current.fromNumber }
      await stores.actions.update(current.id, {
        name: input.name ?? current.name,
        description: input.description ?? undefined,
        provider: settings.provider,
        fromNumber: settings.fromNumber,
        recipientPolicy: input.recipientPolicy ?? undefined,
        messageTemplate: input.messageTemplate,
        maxPerCall: input.maxPerCall ?? undefined,
        requiresConsent: input.requiresConsent ?? undefined,
        enabled: input.enabled ?? undefined,
      })
      return db.smsAction.findUniqueOrThrow(byId(query, current.id))
    },
  }),
  deleteSmsAction: t.withAuth({ owner: true }).field({
    type: DeleteSmsActionSuccess,
    description: 'Deletes an SMS action: detached from its campaigns, its name freed; its past deliveries stay.',
    errors: { ...mutationErrors(NotFoundError), directResult: true },
    args: { id: t.arg.id({ required: true, description: 'The action’s id.' }) },
    resolve: async (_r, { id }, ctx) => {
      const { stores, clock } = ctx.services
      const action = await stores.actions.owned(ctx.auth.userId, String(id))
      await stores.actions.softDelete(action.id, clock.now())
      return { deletedId: action.id }
    },
  }),
}))
