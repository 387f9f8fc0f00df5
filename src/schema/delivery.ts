import { userIdOf } from '../auth.js'
import { db } from '../db.js'
import { SmsEncoding as EncodingValues, SmsDeliveryStatus as StatusValues } from '../generated/prisma/enums.js'
import type { DeliveryUpdate } from '../pubsub.js'
import { deliveryUpdates } from '../subscriptions.js'
import { builder } from './builder.js'
import { SmsProvider } from './user.js'
import { nonEmpty } from './util.js'

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
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

/** The one connection type for deliveries, shared by Query.smsDeliveries and Campaign.deliveries. */
export const SmsDeliveryConnection = builder.connectionObject({ type: SmsDelivery, name: 'SmsDeliveryConnection' })

builder.queryFields((t) => ({
  smsDelivery: t.prismaField({
    type: 'SmsDelivery',
    nullable: true,
    authScopes: { reader: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, { id }, ctx) =>
      db.smsDelivery.findFirst({ ...nonEmpty(query), where: { id: String(id), userId: userIdOf(ctx.auth) } }),
  }),
  smsDeliveries: t.prismaConnection(
    {
      type: 'SmsDelivery',
      cursor: 'id',
      defaultSize: 20,
      maxSize: 100,
      authScopes: { reader: true },
      args: {
        campaignId: t.arg.id(),
        callId: t.arg.string(),
        status: t.arg({ type: SmsDeliveryStatus }),
      },
      resolve: (query, _r, args, ctx) =>
        db.smsDelivery.findMany({
          ...nonEmpty(query),
          where: {
            userId: userIdOf(ctx.auth),
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
  t.field({
    type: SmsDeliveryUpdate,
    description: "Status changes of the caller's deliveries. Give at least one filter.",
    authScopes: { reader: true },
    args: { deliveryId: t.arg.id(), campaignId: t.arg.id(), callId: t.arg.string() },
    subscribe: (_r, args, ctx) =>
      deliveryUpdates(ctx.auth, {
        deliveryId: args.deliveryId ? String(args.deliveryId) : null,
        campaignId: args.campaignId ? String(args.campaignId) : null,
        callId: args.callId,
      }),
    resolve: (update) => update,
  }),
)
