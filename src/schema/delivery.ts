import type { SmsEncoding as EncodingValues, SmsDeliveryStatus as StatusValues } from '../generated/prisma/enums.js'
import { CURRENT_LIMIT } from '../realtime/deliveryUpdates.js'
import type { DeliveryUpdate } from '../realtime/pubsub.js'
import type { EventSource as EventSourceValue } from '../stores/deliveries.js'
import { builder } from './builder.js'
import { viewerOf } from './context.js'
import { isHeavy, nextTurn } from './pacing.js'
import { relatedRow } from './related.js'
import { fieldsAt } from './selection.js'
import { SmsAction } from './smsAction.js'
import { SmsProvider } from './user.js'
import { callIdArg, connectionCost, PAGE } from './util.js'

const EventSource = builder.enumType('SmsDeliveryEventSource', {
  description: 'What recorded a status change.',
  values: {
    API: { description: 'The sendSms call that stored the text (PENDING, or REJECTED with the reason).' },
    DISPATCHER: { description: 'The attempt that handed it to the provider, and the provider’s answer.' },
    PROVIDER_CALLBACK: { description: 'A status callback from the provider (Twilio).' },
    SANDBOX: { description: 'The Atlas sandbox’s simulated delivery (nothing left the platform).' },
    RECONCILER: { description: 'The provider’s own record, asked for when a callback never came or an attempt was interrupted.' },
  } satisfies Record<EventSourceValue, { description: string }>,
})

export const SmsDeliveryStatus = builder.enumType('SmsDeliveryStatus', {
  description: 'Where a text is. It only moves forward: PENDING, QUEUED, SENDING, SENT, then DELIVERED, UNDELIVERED or FAILED.',
  values: {
    PENDING: { description: 'Stored; not handed to the provider yet.' },
    QUEUED: { description: 'The provider accepted it.' },
    SENDING: { description: 'The provider is sending it.' },
    SENT: { description: 'Sent to the carrier; delivery not confirmed yet.' },
    DELIVERED: { description: 'The carrier confirmed delivery to the phone.' },
    UNDELIVERED: { description: 'The carrier could not deliver it (errorCode says why).' },
    FAILED: { description: 'The provider refused it or never took it (errorCode says why).' },
    REJECTED: { description: 'Refused by this service before any provider call (errorCode is the refusal’s code).' },
  } satisfies Record<keyof typeof StatusValues, object>,
})
export const SmsEncoding = builder.enumType('SmsEncoding', {
  description: 'How a text is encoded, which decides how many characters fit in a segment.',
  values: {
    GSM7: { description: 'GSM 03.38: 160 characters in one segment, 153 per segment beyond.' },
    UCS2: { description: 'Unicode (emoji, most non-Latin scripts): 70 characters in one segment, 67 per segment beyond.' },
  } satisfies Record<keyof typeof EncodingValues, object>,
})

// Include mode (no `select`): updates published to subscribers carry whole rows, so their scalar
// fields resolve without a query per subscriber.
export const SmsDeliveryEvent = builder.prismaObject('SmsDeliveryEvent', {
  description: 'One status a delivery took.',
  fields: (t) => ({
    status: t.expose('status', { type: SmsDeliveryStatus, description: 'The status it took.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
    errorCode: t.exposeString('errorCode', { nullable: true, description: 'The provider’s or our error code, when it went wrong.' }),
    source: t.exposeString('source', {
      description: 'What recorded the change: API, DISPATCHER, PROVIDER_CALLBACK, SANDBOX or RECONCILER (recordedBy, typed).',
    }),
    recordedBy: t.field({ type: EventSource, description: 'What recorded the change.', resolve: (e) => e.source as EventSourceValue }),
  }),
})

/** The action and campaign of a delivery, when the page read them with it. */
export type Related = { smsAction?: unknown; campaign?: unknown }

/** What bodyLength reads: the length kept for a body cut short, else the body itself. */
const BODY_LENGTH_READS = { bodyLength: true, body: true } as const

export const SmsDelivery = builder.prismaObject('SmsDelivery', {
  description: 'A text the agent sent, or tried to send (REJECTED ones are kept for the owner to audit).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The delivery’s id.' }),
    smsAction: t.field({
      type: SmsAction,
      description: 'The action it was sent for.',
      resolve: (d, _a, ctx, info) => relatedRow(ctx, info, 'SmsAction', (d as Related).smsAction, d.smsActionId) as never,
    }),
    callId: t.exposeString('callId', { description: 'The call it was sent during.' }),
    to: t.exposeString('to', { description: 'The recipient (E.164).' }),
    body: t.exposeString('body', { description: 'The text (a refused one cut to 1,600 characters).' }),
    bodyLength: t.int({
      description: 'The length of the text as asked, in characters.',
      select: BODY_LENGTH_READS,
      resolve: (d) => d.bodyLength ?? [...d.body].length,
    }),
    provider: t.expose('provider', { type: SmsProvider, description: 'What sent it.' }),
    status: t.expose('status', { type: SmsDeliveryStatus, description: 'Where it is.' }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true, description: 'The provider’s message id (Twilio’s SM…).' }),
    segments: t.exposeInt('segments', { description: 'How many SMS segments it takes (what the carrier bills).' }),
    encoding: t.expose('encoding', { type: SmsEncoding, description: 'How it is encoded.' }),
    errorCode: t.exposeString('errorCode', {
      nullable: true,
      description: 'Why it did not go: Twilio’s code (e.g. 30003) or ours (e.g. OPTED_OUT).',
    }),
    errorMessage: t.exposeString('errorMessage', { nullable: true, description: 'The same, in words.' }),
    sandbox: t.exposeBoolean('sandbox', { description: 'Sent in the Atlas sandbox: nothing left the platform.' }),
    idempotencyKey: t.exposeString('idempotencyKey', {
      nullable: true,
      description: 'The key the agent sent it with (e.g. the tool call id).',
    }),
    events: t.relation('events', {
      query: { orderBy: [{ at: 'asc' }, { id: 'asc' }] },
      description: 'Every status it took, oldest first.',
    }),
    duplicateMessageIds: t.field({
      type: ['String'],
      description:
        'Provider messages found for this delivery besides providerMessageId: the text went out more than once. Empty when it went out once.',
      select: { duplicates: { select: { providerMessageId: true }, orderBy: { detectedAt: 'asc' } } },
      resolve: (d) => d.duplicates.map((x) => x.providerMessageId),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the agent asked for it.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
})

/** The columns a field of SmsDelivery reads besides its own name's; relations are read by the page. */
const COLUMNS_OF_FIELD: Record<string, string[]> = {
  __typename: [],
  smsAction: ['smsActionId'],
  campaign: ['campaignId'],
  bodyLength: Object.keys(BODY_LENGTH_READS),
  events: [],
  duplicateMessageIds: [],
}

/** The delivery columns a page's nodes need (a field not known above is taken to be a column of its name). */
const columnsOfPage = (asked: Set<string>) => [...asked].flatMap((f) => COLUMNS_OF_FIELD[f] ?? [f])

/** Pothos' query for the page, with the action and campaign when the nodes ask for them (read with the page). */
function withRelated<Q extends { include?: object }>(query: Q, asked: Set<string>): Q {
  const related = ['smsAction', 'campaign'].filter((name) => asked.has(name)).map((name) => [name, true])
  return related.length ? { ...query, include: { ...query.include, ...Object.fromEntries(related) } } : query
}

/** The one connection type for deliveries, shared by Query.smsDeliveries and Campaign.deliveries. */
export const SmsDeliveryConnection = builder.connectionObject({ type: SmsDelivery, name: 'SmsDeliveryConnection' })

builder.queryFields((t) => ({
  smsDelivery: t.withAuth({ reader: true }).prismaField({
    type: 'SmsDelivery',
    nullable: true,
    description: 'One of the user’s deliveries; null when it is not theirs.',
    args: { id: t.arg.id({ required: true, description: 'The delivery’s id.' }) },
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
      description: 'The user’s deliveries, newest first, in pages.',
      args: {
        campaignId: t.arg.id({ description: 'Only this campaign’s.' }),
        callId: t.arg.string({ validate: callIdArg, description: 'Only this call’s.' }),
        status: t.arg({ type: SmsDeliveryStatus, description: 'Only those with this status.' }),
      },
      resolve: async (query, _r, args, ctx, info) => {
        const where = {
          userId: viewerOf(ctx).userId,
          ...(args.campaignId ? { campaignId: String(args.campaignId) } : {}),
          ...(args.callId ? { callId: args.callId } : {}),
          ...(args.status ? { status: args.status } : {}),
        }
        // Rows shaped as findMany answers them for `query` (test/delivery-pages.test.ts compares the two).
        const asked = fieldsAt(info, ['edges', 'node'])
        const page = await ctx.services.stores.deliveryPages.read(withRelated(query, asked), where, {
          columns: columnsOfPage(asked),
          between: isHeavy(ctx) ? nextTurn : undefined,
        })
        if (page) return page as never
        // A cursor is a position among the caller's own deliveries: another user's id reads nothing, as a missing one.
        const cursor = query.cursor?.id
        if (
          cursor &&
          !(await ctx.services.db.smsDelivery.findFirst({ where: { id: cursor, userId: where.userId }, select: { id: true } }))
        ) {
          return []
        }
        // Newest first along the (userId, createdAt) index: ordering by id alone sorted every row of the user.
        return ctx.services.db.smsDelivery.findMany({ ...query, where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
      },
    },
    SmsDeliveryConnection,
  ),
}))

const SmsDeliveryUpdate = builder.objectRef<DeliveryUpdate>('SmsDeliveryUpdate').implement({
  description: 'A delivery’s status changed.',
  fields: (t) => ({
    delivery: t.field({ type: SmsDelivery, description: 'The delivery, as it now is.', resolve: (u) => u.delivery }),
    event: t.field({ type: SmsDeliveryEvent, description: 'The change.', resolve: (u) => u.event }),
  }),
})

builder.subscriptionType()
builder.subscriptionField('smsDeliveryUpdated', (t) =>
  t.withAuth({ reader: true }).field({
    type: SmsDeliveryUpdate,
    description:
      "Status changes of the caller's deliveries. Give at least one filter. Ends with UPDATES_MISSED when the service may have missed some (its Redis subscriber reconnected): subscribe again with includeCurrent.",
    args: {
      deliveryId: t.arg.id({ description: 'Only this delivery’s changes.' }),
      campaignId: t.arg.id({ description: 'Only this campaign’s.' }),
      callId: t.arg.string({ validate: callIdArg, description: 'Only this call’s.' }),
      includeCurrent: t.arg.boolean({
        defaultValue: false,
        description: `First the matching deliveries as they now are (the ${CURRENT_LIMIT} newest, each with the event of its status), then their changes. Subscribe with it after a gap (a reconnect, UPDATES_MISSED) to miss nothing.`,
      }),
    },
    subscribe: (_r, args, ctx) =>
      ctx.services.updates.subscribe(
        ctx.auth,
        {
          deliveryId: args.deliveryId ? String(args.deliveryId) : null,
          campaignId: args.campaignId ? String(args.campaignId) : null,
          callId: args.callId,
          includeCurrent: args.includeCurrent,
        },
        ctx.sharedAs,
      ),
    resolve: (update) => {
      if ('interrupted' in update) throw update.interrupted
      return update
    },
  }),
)
