import { ERROR_CODE_MEANINGS, type ErrorCode } from '../errors.js'
import { SmsDeliveryStatus } from '../generated/prisma/enums.js'
import type { StatsGroup } from '../stores/stats.js'
import { TWILIO_DELIVERY_ERRORS, TWILIO_SEND_ERRORS } from './providers/twilio/errors.js'

/** Statuses of texts a provider took (their segments are billed). */
const TAKEN: SmsDeliveryStatus[] = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'UNDELIVERED']
/** Final outcomes of texts that were sent: the delivery rate's denominator. */
const OUTCOMES: SmsDeliveryStatus[] = ['DELIVERED', 'UNDELIVERED', 'FAILED']
const TOP_ERRORS = 5

export interface DeliveryStats {
  since: Date
  until: Date
  total: number
  byStatus: { status: SmsDeliveryStatus; count: number }[]
  segmentsSent: number
  deliveryRate: number | null
  medianSecondsToDelivered: number | null
  topErrorCodes: { code: string; count: number; description: string | null }[]
}

/** What an error code means: Twilio's code, or ours. */
export function describeErrorCode(code: string): string | null {
  return TWILIO_DELIVERY_ERRORS[code] ?? TWILIO_SEND_ERRORS[Number(code)]?.message ?? ERROR_CODE_MEANINGS[code as ErrorCode] ?? null
}

/** The median of a histogram of tenths of a second (the mean of the two middle values when even). */
function medianSeconds(histogram: Map<number, number>): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0)
  if (total === 0) return null
  const sorted = [...histogram.entries()].sort((a, b) => a[0] - b[0])
  const at = (rank: number) => {
    let seen = 0
    for (const [tenths, count] of sorted) {
      seen += count
      if (seen > rank) return tenths
    }
    return sorted.at(-1)?.[0] ?? 0
  }
  return (at(Math.floor((total - 1) / 2)) + at(Math.floor(total / 2))) / 20
}

/** Statistics from the grouped counts of a scope's deliveries. */
export function summarize(groups: StatsGroup[], since: Date, until: Date): DeliveryStats {
  const byStatus = new Map<SmsDeliveryStatus, number>()
  const errors = new Map<string, number>()
  const toDelivered = new Map<number, number>()
  let segmentsSent = 0
  for (const g of groups) {
    byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.count)
    if (TAKEN.includes(g.status)) segmentsSent += g.segments
    if (g.errorCode) errors.set(g.errorCode, (errors.get(g.errorCode) ?? 0) + g.count)
    if (g.status === 'DELIVERED' && g.tenths !== null) toDelivered.set(g.tenths, (toDelivered.get(g.tenths) ?? 0) + g.count)
  }
  const count = (s: SmsDeliveryStatus) => byStatus.get(s) ?? 0
  const outcomes = OUTCOMES.reduce((n, s) => n + count(s), 0)
  return {
    since,
    until,
    total: groups.reduce((n, g) => n + g.count, 0),
    byStatus: Object.values(SmsDeliveryStatus).map((status) => ({ status, count: count(status) })),
    segmentsSent,
    deliveryRate: outcomes ? count('DELIVERED') / outcomes : null,
    medianSecondsToDelivered: medianSeconds(toDelivered),
    topErrorCodes: [...errors.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP_ERRORS)
      .map(([code, n]) => ({ code, count: n, description: describeErrorCode(code) })),
  }
}
