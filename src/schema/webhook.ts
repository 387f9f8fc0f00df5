import { z } from 'zod'
import { cuid } from '../db/ids.js'
import { NotFoundError, ValidationError, WebhookEndpointError } from '../errors.js'
import { SmsDeliveryStatus as Statuses } from '../generated/prisma/enums.js'
import { eventTypeList } from '../stores/webhooks.js'
import { cleanText } from '../text.js'
import { secretContext } from '../webhooks/attempts.js'
import { eventTypeOf } from '../webhooks/payload.js'
import { newSigningSecret } from '../webhooks/signing.js'
import { endpointRefusal } from '../webhooks/targets.js'
import { builder } from './builder.js'
import type { Context } from './context.js'
import { viewerOf } from './context.js'
import { mutationErrors } from './errors.js'
import { byId, connectionCost, PAGE } from './util.js'

type Status = keyof typeof Statuses
const STATUSES = Object.values(Statuses) as Status[]

const WebhookEventType = builder.enumType('WebhookEventType', {
  description: 'A delivery status change an endpoint may ask for; the payload’s `type` is sms.<status>, e.g. sms.delivered.',
  values: Object.fromEntries(STATUSES.map((s) => [s, { description: `${eventTypeOf(s)}: a text moved to ${s}.` }])) as Record<
    Status,
    { description: string }
  >,
})
const MessageStatus = builder.enumType('WebhookMessageStatus', {
  description: 'Where a webhook message stands.',
  values: {
    PENDING: { description: 'To be posted, or to be retried at nextAttemptAt.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Out of retries, or the endpoint was disabled.' },
  },
})

const WebhookAttempt = builder.prismaObject('WebhookAttempt', {
  description: 'One POST of a message.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When it was made.' }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'The HTTP status answered; null when none came.' }),
    latencyMs: t.exposeInt('latencyMs', { description: 'How long the endpoint took, in ms.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why there was no answer (timeout, refused connection…).' }),
  }),
})

const WebhookMessage = builder.prismaObject('WebhookMessage', {
  description: 'One status change for one endpoint, with its attempts.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The webhook-id header: the same on every retry (receivers dedupe on it).' }),
    eventType: t.string({
      description: 'The payload’s type, e.g. sms.delivered.',
      select: { event: { select: { status: true } } },
      resolve: (m) => eventTypeOf(m.event.status),
    }),
    deliveryId: t.exposeID('deliveryId', { description: 'The text it is about.' }),
    status: t.field({ type: MessageStatus, description: 'Where it stands.', resolve: (m) => m.status as 'PENDING' }),
    attempts: t.exposeInt('attempts', { description: 'POSTs made so far.' }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next POST is due (PENDING only).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the status changed.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it was delivered or failed.' }),
    attemptLog: t.relation('attemptLog', {
      description: 'Its POSTs, oldest first (at most 50).',
      query: { orderBy: { at: 'asc' }, take: 50 },
    }),
  }),
})

const WebhookEndpoint = builder.prismaObject('WebhookEndpoint', {
  description: 'A URL that receives delivery status changes, signed per Standard Webhooks.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The endpoint’s id.' }),
    url: t.exposeString('url', { description: 'Where messages are POSTed.' }),
    eventTypes: t.field({
      type: [WebhookEventType],
      description: 'The status changes it receives.',
      resolve: (e) => eventTypeList.parse(e.eventTypes),
    }),
    campaignId: t.exposeID('campaignId', { nullable: true, description: 'Only this campaign’s texts, when set.' }),
    description: t.exposeString('description', { nullable: true, description: 'The owner’s note.' }),
    enabled: t.boolean({ description: 'Whether messages are posted to it.', resolve: (e) => e.disabledAt === null }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true, description: 'When it was disabled.' }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why: the owner disabled it, it answered 410 Gone, or no attempt succeeded for as long as a message’s retries last.',
    }),
    failingSince: t.expose('failingSince', {
      type: 'DateTime',
      nullable: true,
      description: 'The first failed attempt since the last success; null while it answers 2xx.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    messages: t.relatedConnection('messages', {
      cursor: 'id',
      ...PAGE,
      complexity: connectionCost,
      description: 'Its messages, newest first; delivered and failed ones are kept for WEBHOOK_RETENTION_DAYS (30 by default).',
      args: { status: t.arg({ type: MessageStatus, description: 'Only messages in this state.' }) },
      query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    }),
  }),
})

const eventTypes = z.array(z.enum(STATUSES)).min(1, 'at least one event type').max(STATUSES.length)
const EndpointFields = {
  url: cleanText().max(2048),
  description: cleanText().max(500),
}

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  description: 'A new endpoint.',
  fields: (t) => ({
    url: t.string({ required: true, validate: EndpointFields.url, description: 'An https URL on the public internet.' }),
    eventTypes: t.field({ type: [WebhookEventType], required: true, validate: eventTypes, description: 'The status changes to receive.' }),
    campaignId: t.id({ description: 'Only this campaign’s texts (default: all).' }),
    description: t.string({ validate: EndpointFields.description, description: 'A note for the owner.' }),
  }),
})
const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'What changes (omitted fields stay).',
  fields: (t) => ({
    url: t.string({ validate: EndpointFields.url, description: 'An https URL on the public internet.' }),
    eventTypes: t.field({ type: [WebhookEventType], validate: eventTypes.optional(), description: 'The status changes to receive.' }),
    description: t.string({ validate: EndpointFields.description, description: 'A note for the owner.' }),
  }),
})

interface WithSecret {
  endpointId: string
  signingSecret: string
}
const CreateWebhookEndpointSuccess = builder.objectRef<WithSecret>('CreateWebhookEndpointSuccess').implement({
  description: 'The endpoint was registered.',
  fields: () => ({}),
})
const RotateWebhookSecretSuccess = builder.objectRef<WithSecret>('RotateWebhookSecretSuccess').implement({
  description: 'A new secret signs from now on.',
  fields: () => ({}),
})
for (const ref of [CreateWebhookEndpointSuccess, RotateWebhookSecretSuccess]) {
  builder.objectFields(ref, (t) => ({
    webhookEndpoint: t.prismaField({
      type: 'WebhookEndpoint',
      description: 'The endpoint.',
      resolve: (query, p, _a, ctx) => ctx.services.db.webhookEndpoint.findUniqueOrThrow(byId(query, p.endpointId)),
    }),
    signingSecret: t.string({
      description: 'The signing secret (whsec_…), shown once: verify each message with a Standard Webhooks library.',
      resolve: (p) => p.signingSecret,
    }),
  }))
}

async function checkUrl(ctx: Context, url: string) {
  const refused = await endpointRefusal(url, ctx.services.config.webhooks, viewerOf(ctx).userId)
  if (refused?.code === 'UNSAFE_URL') throw new WebhookEndpointError('UNSAFE_URL', `input.url ${refused.reason}`)
  if (refused) throw new ValidationError(`input.url ${refused.reason}`, 'input.url')
}

async function ownedEndpoint(ctx: Context, id: string | number) {
  const endpoint = await ctx.services.stores.webhooks.owned(viewerOf(ctx).userId, String(id))
  if (!endpoint) throw new NotFoundError('Webhook endpoint')
  return endpoint
}

const sealed = (ctx: Context, endpointId: string, secret: string) => ctx.services.cipher.encrypt(secret, secretContext(endpointId))

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaField({
    type: ['WebhookEndpoint'],
    description: 'The user’s webhook endpoints, oldest first.',
    authScopes: { owner: true },
    resolve: (query, _r, _a, ctx) =>
      ctx.services.db.webhookEndpoint.findMany({ ...query, where: { userId: viewerOf(ctx).userId }, orderBy: { createdAt: 'asc' } }),
  }),
  webhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    nullable: true,
    description: 'One of the user’s webhook endpoints, or null.',
    authScopes: { owner: true },
    args: { id: t.arg.id({ required: true, description: 'The endpoint’s id.' }) },
    resolve: (query, _r, { id }, ctx) =>
      ctx.services.db.webhookEndpoint.findFirst({ ...query, where: { id: String(id), userId: viewerOf(ctx).userId } }),
  }),
}))

const endpointResult = (name: string) => ({ ...mutationErrors(NotFoundError), dataField: { name } })
const idArg = builder.args((t) => ({ id: t.id({ required: true, description: 'The endpoint’s id.' }) }))

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.withAuth({ owner: true }).field({
    type: CreateWebhookEndpointSuccess,
    description: 'Registers an endpoint for delivery status changes and answers its signing secret, once.',
    errors: { ...mutationErrors(NotFoundError, WebhookEndpointError), directResult: true },
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true, description: 'The endpoint.' }) },
    resolve: async (_r, { input }, ctx) => {
      const { stores, config } = ctx.services
      const userId = ctx.auth.userId
      await checkUrl(ctx, input.url)
      if (input.campaignId) await stores.campaigns.owned(userId, String(input.campaignId))
      const id = cuid()
      const signingSecret = newSigningSecret()
      await stores.webhooks.createEndpoint(
        {
          id,
          userId,
          url: input.url,
          eventTypes: eventTypeList.format(input.eventTypes),
          campaignId: input.campaignId ? String(input.campaignId) : null,
          description: input.description ?? null,
          secret: sealed(ctx, id, signingSecret),
        },
        {
          cap: config.webhooks.endpointsPerUser,
          refusal: (cap) => new WebhookEndpointError('LIMIT_REACHED', `An account may have ${cap} webhook endpoints`),
        },
      )
      return { endpointId: id, signingSecret }
    },
  }),
  updateWebhookEndpoint: t.withAuth({ owner: true }).prismaField({
    type: 'WebhookEndpoint',
    description: 'Changes an endpoint’s URL, event types or note.',
    errors: { ...mutationErrors(NotFoundError, WebhookEndpointError), dataField: { name: 'webhookEndpoint' } },
    args: { ...idArg, input: t.arg({ type: UpdateWebhookEndpointInput, required: true, description: 'What changes.' }) },
    resolve: async (query, _r, { id, input }, ctx) => {
      const endpoint = await ownedEndpoint(ctx, id)
      if (input.url) await checkUrl(ctx, input.url)
      await ctx.services.stores.webhooks.update(endpoint.id, {
        url: input.url ?? undefined,
        eventTypes: input.eventTypes ? eventTypeList.format(input.eventTypes) : undefined,
        description: input.description ?? undefined,
      })
      return ctx.services.db.webhookEndpoint.findUniqueOrThrow(byId(query, endpoint.id))
    },
  }),
  rotateWebhookSecret: t.withAuth({ owner: true }).field({
    type: RotateWebhookSecretSuccess,
    description:
      'Replaces an endpoint’s signing secret (messages from now on, retries included, are signed with the new one) and answers it, once.',
    errors: { ...mutationErrors(NotFoundError), directResult: true },
    args: idArg,
    resolve: async (_r, { id }, ctx) => {
      const endpoint = await ownedEndpoint(ctx, id)
      const signingSecret = newSigningSecret()
      await ctx.services.stores.webhooks.update(endpoint.id, { secret: sealed(ctx, endpoint.id, signingSecret) })
      return { endpointId: endpoint.id, signingSecret }
    },
  }),
  disableWebhookEndpoint: t.withAuth({ owner: true }).prismaField({
    type: 'WebhookEndpoint',
    description: 'Stops posting to an endpoint; its waiting messages are marked FAILED.',
    errors: endpointResult('webhookEndpoint'),
    args: idArg,
    resolve: async (query, _r, { id }, ctx) => {
      const endpoint = await ownedEndpoint(ctx, id)
      if (!endpoint.disabledAt) await ctx.services.stores.webhooks.disable(endpoint.id, 'Disabled by the owner.', ctx.services.clock.now())
      return ctx.services.db.webhookEndpoint.findUniqueOrThrow(byId(query, endpoint.id))
    },
  }),
  enableWebhookEndpoint: t.withAuth({ owner: true }).prismaField({
    type: 'WebhookEndpoint',
    description: 'Posts to an endpoint again, from the next status change on.',
    errors: endpointResult('webhookEndpoint'),
    args: idArg,
    resolve: async (query, _r, { id }, ctx) => {
      const endpoint = await ownedEndpoint(ctx, id)
      await ctx.services.stores.webhooks.enable(endpoint.id)
      return ctx.services.db.webhookEndpoint.findUniqueOrThrow(byId(query, endpoint.id))
    },
  }),
  deleteWebhookEndpoint: t.withAuth({ owner: true }).field({
    type: builder.objectRef<{ deletedId: string }>('DeleteWebhookEndpointSuccess').implement({
      description: 'The endpoint and its messages are gone.',
      fields: (f) => ({ deletedId: f.exposeID('deletedId', { description: 'The id of the deleted endpoint.' }) }),
    }),
    description: 'Deletes an endpoint with its messages.',
    errors: { ...mutationErrors(NotFoundError), directResult: true },
    args: idArg,
    resolve: async (_r, { id }, ctx) => {
      const endpoint = await ownedEndpoint(ctx, id)
      await ctx.services.stores.webhooks.remove(endpoint.id)
      return { deletedId: endpoint.id }
    },
  }),
}))

export { WebhookAttempt, WebhookEndpoint, WebhookMessage }
