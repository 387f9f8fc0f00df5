import { SmsEncoding as EncodingValues, SmsDeliveryStatus as StatusValues } from '../generated/prisma/enums.js'
import type { DeliveryUpdate } from '../realtime/pubsub.js'
import { builder } from './builder.js'
import { viewerOf } from './context.js'
import { SmsProvider } from './user.js'
import { connectionCost, PAGE } from './util.js'

export const SmsDeliveryStatus = builder.enumType('SmsDeliveryStatus', { values: Object.values(StatusValues) })
export const SmsEncoding = builder.enumType('SmsEncoding', { values: Object.values(EncodingValues) })

// Include mode (no `select`): updates published to subscribers carry whole rows, so their scalar
// fields resolve without a query per subscriber.
export const SmsDeliveryEvent = builder.prismaObject('SmsDeliveryEvent', {
  fields: (t) => ({
    status: t.expose('status', { type: SmsDeliveryStatus }),
    at: t.expose('at', { type: 'DateTime' }),
    errorCode: t.exposeString('errorCode', { nullable: true }),
    source: t.exposeString('source'),
  }),
})

export const SmsDelivery = builder.prismaObject('SmsDelivery', {
  fields: (t) => ({
    id: t.exposeID('id'),
    smsAction: t.relation('smsAction'),
    campaign: t.relation('campaign'),
    callId: t.exposeString('callId'),
    to: t.exposeString('to'),
    body: t.exposeString('body'),
    provider: t.expose('provider', { type: SmsProvider }),
    status: t.expose('status', { type: SmsDeliveryStatus }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true }),
    segments: t.exposeInt('segments'),
    encoding: t.expose('encoding', { type: SmsEncoding }),
    errorCode: t.exposeString('errorCode', { nullable: true }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    sandbox: t.exposeBoolean('sandbox'),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true }),
    events: t.relation('events', { query: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } }),
    duplicateMessageIds: t.field({
      type: ['String'],
      description:
        'Provider messages found for this delivery besides providerMessageId: the text went out more than once. Empty when it went out once.',
      select: { duplicates: { select: { providerMessageId: true }, orderBy: { detectedAt: 'asc' } } },
      resolve: (d) => d.duplicates.map((x) => x.providerMessageId),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

/** The one connection type for deliveries, shared by Query.smsDeliveries and Campaign.deliveries. */
export const SmsDeliveryConnection = builder.connectionObject({ type: SmsDelivery, name: 'SmsDeliveryConnection' })

builder.queryFields((t) => ({
  smsDelivery: t.withAuth({ reader: true }).prismaField({
    type: 'SmsDelivery',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, { id }, ctx) =>
      ctx.services.db.smsDelivery.findFirst({ ...query, where: { id: String(id), userId: ctx.auth.userId } }),
  }),
  // Not withAuth: the connection type is shared with Campaign.deliveries, whose context is not narrowed.
  smsDeliveries: t.prismaConnection(
    {
      type: 'SmsDelivery',
      cursor: 'id',
      ...PAGE,
      complexity: connectionCost,
      authScopes: { reader: true },
      args: {
        campaignId: t.arg.id(),
        callId: t.arg.string(),
        status: t.arg({ type: SmsDeliveryStatus }),
      },
      resolve: (query, _r, args, ctx) =>
        ctx.services.db.smsDelivery.findMany({
          ...query,
          where: {
            userId: viewerOf(ctx).userId,
            ...(args.campaignId ? { campaignId: String(args.campaignId) } : {}),
            ...(args.callId ? { callId: args.callId } : {}),
            ...(args.status ? { status: args.status } : {}),
          },
          // Newest first along the (userId, createdAt) index: ordering by id alone sorted every row of the user.
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    SmsDeliveryConnection,
  ),
}))

const SmsDeliveryUpdate = builder.objectRef<DeliveryUpdate>('SmsDeliveryUpdate').implement({
  fields: (t) => ({
    delivery: t.field({ type: SmsDelivery, resolve: (u) => u.delivery }),
    event: t.field({ type: SmsDeliveryEvent, resolve: (u) => u.event }),
  }),
})

builder.subscriptionType()
builder.subscriptionField('smsDeliveryUpdated', (t) =>
  t.withAuth({ reader: true }).field({
    type: SmsDeliveryUpdate,
    description: "Status changes of the caller's deliveries. Give at least one filter.",
    args: { deliveryId: t.arg.id(), campaignId: t.arg.id(), callId: t.arg.string() },
    subscribe: (_r, args, ctx) =>
      ctx.services.updates.subscribe(ctx.auth, {
        deliveryId: args.deliveryId ? String(args.deliveryId) : null,
        campaignId: args.campaignId ? String(args.campaignId) : null,
        callId: args.callId,
      }),
    resolve: (update) => update,
  }),
)
