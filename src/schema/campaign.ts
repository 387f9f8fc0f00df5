import { NotFoundError } from '../errors.js'
import { agentTools } from '../sms/agent/tools.js'
import { cleanText } from '../text.js'
import { builder } from './builder.js'
import type { ViewerContext } from './context.js'
import { SmsDeliveryConnection, SmsDeliveryStatus } from './delivery.js'
import { mutationErrors } from './errors.js'
import { SmsAction } from './smsAction.js'
import { byId, connectionCost, PAGE } from './util.js'

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
        ...PAGE,
        complexity: connectionCost,
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
  fields: (t) => ({ name: t.string({ required: true, validate: cleanText().trim().min(1).max(200) }) }),
})

builder.queryFields((t) => ({
  campaigns: t.withAuth({ reader: true }).prismaField({
    type: ['Campaign'],
    resolve: (query, _r, _a, ctx) =>
      ctx.services.db.campaign.findMany({ ...query, where: { userId: ctx.auth.userId }, orderBy: { createdAt: 'asc' } }),
  }),
  campaign: t.withAuth({ reader: true }).prismaField({
    type: 'Campaign',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, { id }, ctx) =>
      ctx.services.db.campaign.findFirst({ ...query, where: { id: String(id), userId: ctx.auth.userId } }),
  }),
}))

const attachArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  campaignId: t.arg.id({ required: true }),
  smsActionId: t.arg.id({ required: true }),
})

/** Attaching and detaching: the campaign and the action must both be the caller's. */
const attachment =
  (change: 'attach' | 'detach') =>
  async (query: object, _r: unknown, args: { campaignId: string | number; smsActionId: string | number }, ctx: ViewerContext) => {
    const { stores, db } = ctx.services
    const campaign = await stores.campaigns.owned(ctx.auth.userId, String(args.campaignId))
    const action = await stores.actions.owned(ctx.auth.userId, String(args.smsActionId))
    await stores.campaigns[change](campaign.id, action.id)
    return db.campaign.findUniqueOrThrow(byId(query, campaign.id))
  }

builder.mutationFields((t) => ({
  createCampaign: t.withAuth({ owner: true }).prismaField({
    type: 'Campaign',
    errors: { ...mutationErrors(), dataField: { name: 'campaign' } },
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const created = await ctx.services.stores.campaigns.create(ctx.auth.userId, input.name)
      return ctx.services.db.campaign.findUniqueOrThrow(byId(query, created.id))
    },
  }),
  attachSmsAction: t.withAuth({ owner: true }).prismaField({
    type: 'Campaign',
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'campaign' } },
    args: attachArgs(t),
    resolve: attachment('attach'),
  }),
  detachSmsAction: t.withAuth({ owner: true }).prismaField({
    type: 'Campaign',
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'campaign' } },
    args: attachArgs(t),
    resolve: attachment('detach'),
  }),
}))
