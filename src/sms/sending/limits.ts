import type { Config } from '../../config.js'
import type { SendSmsError } from '../../errors.js'
import type { Slot } from '../../stores/counters.js'
import type { SendAction } from '../../stores/sendContext.js'
import { senderOf } from '../sender.js'
import { policy } from './refusals.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** How many texts a user may send: per minute and per day, and to one number (per sender) per hour and per day. */
export type TextLimits = Config['textLimits']

/** What a send takes a unit of, most specific first: the order in which a full one is reported. */
type Kind = 'call' | 'recipientHour' | 'recipientDay' | 'day' | 'minute'
export type SendSlot = Slot & { kind: Kind }

const window = (now: Date, ms: number) => Math.floor(now.getTime() / ms)

/** The keys of the counters a text takes a unit of, by kind (their windows those of `now`). */
function slotKeys(a: { actionId: string; userId: string; callId: string; to: string; sender: string }, now: Date): Record<Kind, string> {
  const recipient = `to:${a.userId}:${a.sender}:${a.to}`
  return {
    call: `call:${a.actionId}:${a.callId}`,
    recipientHour: `${recipient}:h${window(now, HOUR)}`,
    recipientDay: `${recipient}:d${window(now, DAY)}`,
    day: `day:${a.userId}:${window(now, DAY)}`,
    minute: `rate:${a.userId}:${window(now, MINUTE)}`,
  }
}

/**
 * The counters a send takes a unit of, all in one statement: its action on its call (maxPerCall);
 * the number it texts, from its sender, this hour and today (a call id the runtime makes up does
 * not reset these); the user's texts today and this minute.
 */
export function sendSlots(
  a: { action: SendAction; userId: string; callId: string; to: string; sender: string },
  now: Date,
  limits: TextLimits,
): SendSlot[] {
  const at = now.getTime()
  const key = slotKeys({ ...a, actionId: a.action.id }, now)
  return [
    { kind: 'call', key: key.call, limit: a.action.maxPerCall, expiresAt: new Date(at + DAY) },
    { kind: 'recipientHour', key: key.recipientHour, limit: limits.perRecipientHour, expiresAt: new Date(at + 2 * HOUR) },
    { kind: 'recipientDay', key: key.recipientDay, limit: limits.perRecipientDay, expiresAt: new Date(at + 2 * DAY) },
    { kind: 'day', key: key.day, limit: limits.perDay, expiresAt: new Date(at + 2 * DAY) },
    { kind: 'minute', key: key.minute, limit: limits.perMinute, expiresAt: new Date(at + 2 * MINUTE) },
  ]
}

/**
 * The counters a stored delivery took a unit of when it was created that are given back when it
 * never went out: its call's, its number's and the day's. The minute's is kept: it paces calls to
 * the provider, which were made.
 */
export function takenBy(d: {
  smsActionId: string
  userId: string
  callId: string
  to: string
  fromNumber: string | null
  createdAt: Date
}) {
  const { smsActionId: actionId, userId, callId, to } = d
  const { minute: _paced, ...texts } = slotKeys({ actionId, userId, callId, to, sender: senderOf(d) }, d.createdAt)
  return Object.values(texts)
}

/** The refusal for the first of `slots` that is used up, if any is. */
export function limitRefusal(slots: SendSlot[], full: (s: SendSlot) => boolean, action: SendAction): SendSmsError | undefined {
  const slot = slots.find(full)
  if (!slot) return undefined
  switch (slot.kind) {
    case 'call':
      return policy.callLimit(action)
    case 'recipientHour':
      return policy.recipientLimit(slot.limit, 'hour')
    case 'recipientDay':
      return policy.recipientLimit(slot.limit, 'day')
    case 'day':
      return policy.dailyLimit(slot.limit)
    case 'minute':
      return policy.rate(slot.limit)
  }
}

/** The counter of a user's refusals recorded this minute (past the limit they are answered, not stored). */
export const refusalSlot = (userId: string, now: Date, perMinute: number): Slot => ({
  key: `refused:${userId}:${window(now, MINUTE)}`,
  limit: perMinute,
  expiresAt: new Date(now.getTime() + 2 * MINUTE),
})

/** The limits that apply to a user: the operator's figures where set, else the configured defaults. */
export function effectiveLimits(own: { [K in keyof TextLimits]: number | null }, defaults: TextLimits): TextLimits {
  return {
    perMinute: own.perMinute ?? defaults.perMinute,
    perDay: own.perDay ?? defaults.perDay,
    perRecipientHour: own.perRecipientHour ?? defaults.perRecipientHour,
    perRecipientDay: own.perRecipientDay ?? defaults.perRecipientDay,
  }
}
