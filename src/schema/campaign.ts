import { parsePrismaCursor } from '@pothos/plugin-prisma'
import { LimitReachedError, NotFoundError } from '../errors.js'
import { AGENT_TOOL_FORMATS, type AgentToolFormat as AgentToolFormatValue, agentTools, DELIVERY_STATUS_TOOL } from '../sms/agent/tools.js'
import { CAMPAIGN_TOOLS } from '../stores/campaigns.js'
import { cleanText } from '../text.js'
import { builder } from './builder.js'
import type { ViewerContext } from './context.js'
import { type Related, SmsDelivery, SmsDeliveryConnection, SmsDeliveryStatus } from './delivery.js'
import { mutationErrors } from './errors.js'
import { relatedRow } from './related.js'
import { SmsAction } from './smsAction.js'
import { byId, connectionCost, PAGE } from './util.js'

const FORMATS: Record<AgentToolFormatValue, string> = {
  OPENAI: 'The same as OPENAI_CHAT (its first name, kept for existing clients).',
  OPENAI_CHAT: 'OpenAI Chat Completions `tools`: {type: "function", function: {name, description, parameters, strict: true}}.',
  OPENAI_RESPONSES: 'OpenAI Responses API `tools`: {type: "function", name, description, parameters, strict: true}.',
  OPENAI_REALTIME: 'OpenAI Realtime API session `tools`: {type: "function", name, description, parameters}.',
  ANTHROPIC: 'Anthropic Messages API `tools`: {name, description, input_schema}.',
  GEMINI: 'Gemini `functionDeclarations`: {name, description, parameters} (its OpenAPI schema subset).',
  MCP: 'Model Context Protocol tools (tools/list): {name, description, inputSchema}.',
}
const AgentToolFormat = builder.enumType('AgentToolFormat', {
  description: 'The LLM API whose tool definitions agentTools answers in.',
  values: Object.fromEntries(AGENT_TOOL_FORMATS.map((f) => [f, { description: FORMATS[f] }])) as Record<
    AgentToolFormatValue,
    { description: string }
  >,
})

const liveAttached = { smsAction: { deletedAt: null } }
/**
 * A page cursor is a position among this campaign's deliveries: one naming another's delivery
 * (another user's) reads nothing, as a missing one, rather than a page from its time.
 */
type PageArgs = { after?: string | null; before?: string | null }
const ofThisCampaign = ({ after, before }: PageArgs) => {
  const cursor = after ?? before
  const id = cursor ? parsePrismaCursor(cursor) : undefined
  return typeof id === 'string' ? { campaign: { deliveries: { some: { id } } } } : {}
}

export const Campaign = builder.prismaObject('Campaign', {
  description: 'A voice-agent campaign: the SMS actions its agent may use on its calls.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The campaign’s id.' }),
    name: t.exposeString('name', { description: 'What the owner calls it.' }),
    smsActions: t.field({
      type: [SmsAction],
      description: 'The attached actions (disabled ones too; deleted ones left out), in the order attached.',
      select: (_args, _ctx, nested) => ({
        smsActions: { where: liveAttached, orderBy: { createdAt: 'asc' }, select: { smsAction: nested(true) } },
      }),
      resolve: (c) => c.smsActions.map((a) => a.smsAction),
    }),
    agentTools: t.field({
      type: 'JSON',
      description:
        'LLM tool definitions of the attached, enabled actions (and of the delivery-status tool when the campaign offers it), in one API’s shape. Hand a tool call back with sendSmsToolCall.',
      args: { format: t.arg({ type: AgentToolFormat, defaultValue: 'OPENAI', description: 'Default: OPENAI (= OPENAI_CHAT).' }) },
      select: CAMPAIGN_TOOLS,
      resolve: (c, { format }) =>
        agentTools(
          c.smsActions.map((a) => a.smsAction),
          format ?? 'OPENAI',
          c.deliveryStatusTool,
        ),
    }),
    deliveryStatusTool: t.exposeBoolean('deliveryStatusTool', {
      description: `Whether agentTools offers ${DELIVERY_STATUS_TOOL.name}, which tells the agent if the call’s texts were delivered.`,
    }),
    deliveries: t.relatedConnection(
      'deliveries',
      {
        description: 'The campaign’s deliveries, newest first, in pages.',
        cursor: 'id',
        ...PAGE,
        complexity: connectionCost,
        args: { status: t.arg({ type: SmsDeliveryStatus, description: 'Only those with this status.' }) },
        // Newest first along the (campaignId, createdAt) index; the id breaks ties.
        query: (args) => ({
          where: { ...(args.status ? { status: args.status } : {}), ...ofThisCampaign(args as PageArgs) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      },
      SmsDeliveryConnection,
    ),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
})

builder.prismaObjectFields(SmsAction, (t) => ({
  campaigns: t.field({
    type: [Campaign],
    description: 'The campaigns it is attached to.',
    select: (_args, _ctx, nested) => ({ campaigns: { orderBy: { createdAt: 'asc' }, select: { campaign: nested(true) } } }),
    resolve: (a) => a.campaigns.map((c) => c.campaign),
  }),
}))

builder.prismaObjectFields(SmsDelivery, (t) => ({
  campaign: t.field({
    type: Campaign,
    description: 'The campaign of the call.',
    resolve: (d, _a, ctx, info) => relatedRow(ctx, info, 'Campaign', (d as Related).campaign, d.campaignId) as never,
  }),
}))

const campaignName = cleanText().trim().min(1).max(200)
const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  description: 'A new campaign.',
  fields: (t) => ({
    name: t.string({ required: true, validate: campaignName, description: 'What the owner calls it.' }),
    deliveryStatusTool: t.boolean({ description: `Offer the agent ${DELIVERY_STATUS_TOOL.name}. Default: false.` }),
  }),
})
const UpdateCampaignInput = builder.inputType('UpdateCampaignInput', {
  description: 'Omitted fields keep their value.',
  fields: (t) => ({
    name: t.string({ validate: campaignName, description: 'What the owner calls it.' }),
    deliveryStatusTool: t.boolean({ description: `Offer the agent ${DELIVERY_STATUS_TOOL.name}.` }),
  }),
})

builder.queryFields((t) => ({
  campaigns: t.withAuth({ reader: true }).prismaField({
    type: ['Campaign'],
    description: 'The user’s campaigns, oldest first.',
    resolve: (query, _r, _a, ctx) =>
      ctx.services.db.campaign.findMany({ ...query, where: { userId: ctx.auth.userId }, orderBy: { createdAt: 'asc' } }),
  }),
  campaign: t.withAuth({ reader: true }).prismaField({
    type: 'Campaign',
    nullable: true,
    description: 'One of the user’s campaigns; null when it is not theirs.',
    args: { id: t.arg.id({ required: true, description: 'The campaign’s id.' }) },
    resolve: (query, _r, { id }, ctx) =>
      ctx.services.db.campaign.findFirst({ ...query, where: { id: String(id), userId: ctx.auth.userId } }),
  }),
}))

const attachArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  campaignId: t.arg.id({ required: true, description: 'The campaign.' }),
  smsActionId: t.arg.id({ required: true, description: 'The action.' }),
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
    description: 'Creates a campaign.',
    errors: { ...mutationErrors(LimitReachedError), dataField: { name: 'campaign' } },
    args: { input: t.arg({ type: CreateCampaignInput, required: true, description: 'The campaign.' }) },
    resolve: async (query, _r, { input }, ctx) => {
      const settings = { name: input.name, deliveryStatusTool: input.deliveryStatusTool ?? false }
      const created = await ctx.services.stores.campaigns.create(ctx.auth.userId, settings, ctx.services.config.limits.campaignsPerUser)
      return ctx.services.db.campaign.findUniqueOrThrow(byId(query, created.id))
    },
  }),
  updateCampaign: t.withAuth({ owner: true }).prismaField({
    type: 'Campaign',
    description: 'Renames a campaign, or offers (or withdraws) the delivery-status tool.',
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'campaign' } },
    args: {
      id: t.arg.id({ required: true, description: 'The campaign’s id.' }),
      input: t.arg({ type: UpdateCampaignInput, required: true, description: 'What changes.' }),
    },
    resolve: async (query, _r, { id, input }, ctx) => {
      const { stores, db } = ctx.services
      const campaign = await stores.campaigns.owned(ctx.auth.userId, String(id))
      await stores.campaigns.update(campaign.id, {
        name: input.name ?? undefined,
        deliveryStatusTool: input.deliveryStatusTool ?? undefined,
      })
      return db.campaign.findUniqueOrThrow(byId(query, campaign.id))
    },
  }),
  attachSmsAction: t.withAuth({ owner: true }).prismaField({
    type: 'Campaign',
    description: 'Lets the campaign’s agent use an action (attaching twice changes nothing).',
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'campaign' } },
    args: attachArgs(t),
    resolve: attachment('attach'),
  }),
  detachSmsAction: t.withAuth({ owner: true }).prismaField({
    type: 'Campaign',
    description: 'Takes an action from the campaign’s agent (detaching twice changes nothing).',
    errors: { ...mutationErrors(NotFoundError), dataField: { name: 'campaign' } },
    args: attachArgs(t),
    resolve: attachment('detach'),
  }),
}))
