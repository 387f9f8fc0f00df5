import type { Slot } from '../../stores/counters.js'
import type { SendAction } from '../../stores/sendContext.js'

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/** The counter of an action's sends on one call (maxPerCall). */
export const callKey = (action: SendAction, callId: string) => `call:${action.id}:${callId}`
/** The counter of a user's sends in the current minute (SEND_RATE_LIMIT_PER_MINUTE). */
export const rateKey = (userId: string, now: Date) => `rate:${userId}:${Math.floor(now.getTime() / MINUTE_MS)}`

/** The two counters a send takes a unit of: its action on its call, and its user this minute. */
export function sendSlots(action: SendAction, userId: string, callId: string, now: Date, perMinute: number): [Slot, Slot] {
  const at = now.getTime()
  return [
    { key: callKey(action, callId), limit: action.maxPerCall, expiresAt: new Date(at + DAY_MS) },
    { key: rateKey(userId, now), limit: perMinute, expiresAt: new Date(at + 2 * MINUTE_MS) },
  ]
}
