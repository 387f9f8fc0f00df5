import type { GraphQLResolveInfo } from 'graphql'
import { LimitReachedError, ValidationError } from '../errors.js'
import { type DeliveryStats, summarize } from '../sms/stats.js'
import type { StatsScope } from '../stores/stats.js'
import { builder } from './builder.js'
import type { Context } from './context.js'
import { SmsDeliveryStatus } from './delivery.js'
import { perExecution } from './util.js'

const DAY_MS = 86_400_000
const DEFAULT_DAYS = 30

const StatusCount = builder.objectRef<DeliveryStats['byStatus'][number]>('SmsStatusCount').implement({
  description: 'How many texts are at one status.',
  fields: (t) => ({
    status: t.field({ type: SmsDeliveryStatus, description: 'The status.', resolve: (c) => c.status }),
    count: t.exposeInt('count', { description: 'How many texts are at it now.' }),
  }),
})

const ErrorCount = builder.objectRef<DeliveryStats['topErrorCodes'][number]>('SmsErrorCount').implement({
  description: 'How many texts ended with one error code.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Twilio’s code (e.g. 30003) or ours (e.g. OPTED_OUT).' }),
    count: t.exposeInt('count', { description: 'How many texts.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the code means, when known.' }),
  }),
})

const SmsStats = builder.objectRef<DeliveryStats>('SmsStats').implement({
  description: 'How the texts created in a time range did, as they stand now.',
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime', description: 'The start of the range (included).' }),
    until: t.expose('until', { type: 'DateTime', description: 'The end of the range (excluded).' }),
    total: t.exposeInt('total', { description: 'Texts created in the range (refused ones included).' }),
    byStatus: t.field({ type: [StatusCount], description: 'Texts per status, every status listed.', resolve: (s) => s.byStatus }),
    segmentsSent: t.exposeInt('segmentsSent', { description: 'Segments of the texts a provider took (what is billed).' }),
    deliveryRate: t.exposeFloat('deliveryRate', {
      nullable: true,
      description: 'DELIVERED ÷ (DELIVERED + UNDELIVERED + FAILED), from 0 to 1; null before any text reached a final outcome.',
    }),
    medianSecondsToDelivered: t.exposeFloat('medianSecondsToDelivered', {
      nullable: true,
      description: 'The median time from the send to the delivery report, to a tenth of a second; null when none was delivered.',
    }),
    topErrorCodes: t.field({
      type: [ErrorCount],
      description: 'The five most frequent error codes, most frequent first.',
      resolve: (s) => s.topErrorCodes,
    }),
  }),
})

// No text predates 1970 or outlives 9999; PostgreSQL refuses some dates DateTime accepts (year 0).
const EARLIEST = Date.UTC(1970, 0, 1)
const LATEST = Date.UTC(9999, 11, 31)
const bounded = (d: Date) => new Date(Math.min(Math.max(d.getTime(), EARLIEST), LATEST))

const range = (args: { since?: Date | null; until?: Date | null }, now: Date) => {
  const until = args.until ?? now
  const since = args.since ?? new Date(until.getTime() - DEFAULT_DAYS * DAY_MS)
  if (since >= until) throw new ValidationError('since must be before until', 'since')
  return { since: bounded(since), until: bounded(until) }
}

const statsArgs = builder.args((t) => ({
  since: t.field({ type: 'DateTime', description: `Default: ${DEFAULT_DAYS} days before until.` }),
  until: t.field({ type: 'DateTime', description: 'Default: now.' }),
}))

/** The options of a stats field: the same on every type that has one. */
const statsOptions = (what: string) => ({
  type: SmsStats,
  description: `How ${what} texts did: those created in [since, until), at their current status.`,
  complexity: 50,
  errors: { types: [ValidationError, LimitReachedError], directResult: true as const },
  args: statsArgs,
})

/**
 * Stats one execution may read: each is an aggregate over its range, and a list guessed at ten
 * items by the cost rule may hold a thousand (`smsActions { stats }`, aliased thirty times).
 */
export const STATS_PER_OPERATION = 50
const statsRead = perExecution(() => ({ count: 0 }))

function spendStatsRead(ctx: Context, info: GraphQLResolveInfo) {
  const read = statsRead(ctx, info)
  read.count++
  if (read.count > STATS_PER_OPERATION)
    throw new LimitReachedError(`An operation may read at most ${STATS_PER_OPERATION} stats: ask for the others in another`)
}

async function statsOf(ctx: Context, info: GraphQLResolveInfo, scope: StatsScope, args: { since?: Date | null; until?: Date | null }) {
  const { since, until } = range(args, ctx.services.clock.now())
  spendStatsRead(ctx, info)
  return summarize(await ctx.services.stores.stats.groups(scope, since, until), since, until)
}

builder.prismaObjectFields('Campaign', (t) => ({
  stats: t.field({ ...statsOptions('the campaign’s'), resolve: (c, args, ctx, info) => statsOf(ctx, info, { campaignId: c.id }, args) }),
}))
builder.prismaObjectFields('SmsAction', (t) => ({
  stats: t.field({ ...statsOptions('the action’s'), resolve: (a, args, ctx, info) => statsOf(ctx, info, { smsActionId: a.id }, args) }),
}))
builder.prismaObjectFields('User', (t) => ({
  stats: t.field({ ...statsOptions('all the user’s'), resolve: (u, args, ctx, info) => statsOf(ctx, info, { userId: u.id }, args) }),
}))
