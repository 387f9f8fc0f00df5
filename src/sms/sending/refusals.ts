import { type ErrorCode, SendSmsError } from '../../errors.js'
import type { SendAction } from '../../stores/sendContext.js'
import { agentMessageFor } from '../agent/messages.js'
import { senderOf } from '../sender.js'

/** A refusal of sendSms or previewSms, with the agent's sentence for its code unless one is given. */
export const refuse = (code: ErrorCode, message: string, agent?: string, deliveryId?: string) =>
  new SendSmsError(code, message, agentMessageFor(code, agent), deliveryId)

/** The refusals of the send policy, each written once for sendSms and previewSms. */
export const policy = {
  optedOut: (action: SendAction, to: string) => refuse('OPTED_OUT', `${to} opted out of texts from ${senderOf(action)}`),
  callLimit: (action: SendAction) => refuse('CALL_LIMIT_REACHED', `${action.name} already sent ${action.maxPerCall} text(s) on this call`),
  rate: (perMinute: number) => refuse('RATE_LIMITED', `more than ${perMinute} texts in a minute`),
  recipientLimit: (limit: number, per: 'hour' | 'day') =>
    refuse('RECIPIENT_LIMIT_REACHED', `this number already received ${limit} text(s) from this sender in the last ${per}`),
  dailyLimit: (limit: number) => refuse('DAILY_LIMIT_REACHED', `more than ${limit} texts today`),
  consent: (action: SendAction) => refuse('CONSENT_REQUIRED', `${action.name} sends only once the caller agreed (callerAgreed)`),
}
