import { z } from 'zod'
import { userIdOf } from '../auth.js'
import { db } from '../db.js'
import { BASE_ERRORS, NotFoundError } from '../errors.js'
import { agentTools } from '../sms/tools.js'
import { builder } from './builder.js'
import { SmsDeliveryConnection, SmsDeliveryStatus } from './delivery.js'
import { ownedAction, SmsAction } from './smsAction.js'
import { nonEmpty } from './util.js'

const AgentToolFormat = builder.enumType('AgentToolFormat', { values: ['OPENAI', 'ANTHROPIC'] as const })

const liveAttached = { smsAction: { deletedAt: null } }

export const Campaign = builder.prismaObject('Campaign', {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    smsActions: t.field({
      type: [SmsAction],
      select: (_args, _ctx, nested) => ({
        smsActions: { where: liveAttached, orderBy: { createdAt: 'asc' }, select: { smsAction: nested(true) } },
      }),
      resolve: (c) => c.smsActions.map((a) => a.smsAction),
    }),
    agentTools: t.field({
      type: 'JSON',
      description: 'LLM tool definitions of the attached, enabled actions.',
      args: { format: t.arg({ type: AgentToolFormat, defaultValue: 'OPENAI' }) },
      select: {
        smsActions: {
          where: { smsAction: { deletedAt: null, enabled: true } },
          orderBy: { createdAt: 'asc' },
          select: { smsAction: { select: { name: true, description: true, recipientPolicy: true, messageTemplate: true } } },
        },
      },
      resolve: (c, { format }) =>
        agentTools(
          c.smsActions.map((a) => a.smsAction),
          format ?? 'OPENAI',
        ),
    }),
    deliveries: t.relatedConnection(
      'deliveries',
      {
        cursor: 'id',
        defaultSize: 20,
        maxSize: 100,
        args: { status: t.arg({ type: SmsDeliveryStatus }) },
        // Newest first along the (campaignId, createdAt) index; the id breaks ties.
        query: ({ status }) => ({ where: status ? { status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      },
      SmsDeliveryConnection,
    ),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

builder.prismaObjectFields(SmsAction, (t) => ({
  campaigns: t.field({
    type: [Campaign],
    select: (_args, _ctx, nested) => ({ campaigns: { orderBy: { createdAt: 'asc' }, select: { campaign: nested(true) } } }),
    resolve: (a) => a.campaigns.map((c) => c.campaign),
  }),
}))

const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  fields: (t) => ({ name: t.string({ required: true, validate: z.string().trim().min(1).max(200) }) }),
})

async function ownedCampaign(userId: string, id: string | number) {
  const campaign = await db.campaign.findFirst({ where: { id: String(id), userId }, select: { id: true } })
  if (!campaign) throw new NotFoundError('Campaign')
  return campaign
}

builder.queryFields((t) => ({
  campaigns: t.prismaField({
    type: ['Campaign'],
    authScopes: { reader: true },
    resolve: (query, _r, _a, ctx) =>
      db.campaign.findMany({ ...nonEmpty(query), where: { userId: userIdOf(ctx.auth) }, orderBy: { createdAt: 'asc' } }),
  }),
  campaign: t.prismaField({
    type: 'Campaign',
    nullable: true,
    authScopes: { reader: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, { id }, ctx) =>
      db.campaign.findFirst({ ...nonEmpty(query), where: { id: String(id), userId: userIdOf(ctx.auth) } }),
  }),
}))

const attachArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  campaignId: t.arg.id({ required: true }),
  smsActionId: t.arg.id({ required: true }),
})

builder.mutationFields((t) => ({
  createCampaign: t.prismaField({
    type: 'Campaign',
    authScopes: { owner: true },
    errors: { types: [...BASE_ERRORS], dataField: { name: 'campaign' } },
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: (query, _r, { input }, ctx) =>
      db.campaign.create({ ...nonEmpty(query), data: { userId: userIdOf(ctx.auth), name: input.name } }),
  }),
  attachSmsAction: t.prismaField({
    type: 'Campaign',
    authScopes: { owner: true },
    errors: { types: [...BASE_ERRORS, NotFoundError], dataField: { name: 'campaign' } },
    args: attachArgs(t),
    resolve: async (query, _r, args, ctx) => {
      const userId = userIdOf(ctx.auth)
      const campaign = await ownedCampaign(userId, args.campaignId)
      const action = await ownedAction(userId, args.smsActionId)
      const key = { campaignId: campaign.id, smsActionId: action.id }
      await db.campaignSmsAction.upsert({ where: { campaignId_smsActionId: key }, create: key, update: {} })
      return db.campaign.findUniqueOrThrow({ ...nonEmpty(query), where: { id: campaign.id } })
    },
  }),
  detachSmsAction: t.prismaField({
    type: 'Campaign',
    authScopes: { owner: true },
    errors: { types: [...BASE_ERRORS, NotFoundError], dataField: { name: 'campaign' } },
    args: attachArgs(t),
    resolve: async (query, _r, args, ctx) => {
      const userId = userIdOf(ctx.auth)
      const campaign = await ownedCampaign(userId, args.campaignId)
      const action = await ownedAction(userId, args.smsActionId)
      await db.campaignSmsAction.deleteMany({ where: { campaignId: campaign.id, smsActionId: action.id } })
      return db.campaign.findUniqueOrThrow({ ...nonEmpty(query), where: { id: campaign.id } })
    },
  }),
}))
