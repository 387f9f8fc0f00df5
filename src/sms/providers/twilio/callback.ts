import twilio from 'twilio'
import type { Config } from '../../../config.js'
import type { SmsDeliveryStatus } from '../../../generated/prisma/enums.js'
import { statusFromTwilio, TWILIO_DELIVERY_ERRORS } from './errors.js'

/** The path of Twilio's status callbacks; the full URL Twilio signs is PUBLIC_URL + this. */
export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status'

/**
 * The StatusCallback URL given to Twilio with a message: it names the delivery, and Twilio signs
 * the whole URL, so a callback for a message we never recorded still says, verifiably, whose it is.
 */
export const statusCallbackUrl = (publicUrl: string, deliveryId: string) =>
  `${publicUrl}${STATUS_CALLBACK_PATH}?${new URLSearchParams({ deliveryId })}`

/** The delivery a callback URL's query names, if any. */
export const deliveryNamedIn = (query: string) => new URLSearchParams(query).get('deliveryId') ?? undefined

const SID = /^(SM|MM)[0-9a-fA-F]{32}$/

/** A status callback, read from its form parameters. */
export interface StatusCallback {
  sid: string
  /** Undefined for statuses that mean nothing to an outbound text (e.g. `receiving`). */
  status?: SmsDeliveryStatus
  accountSid?: string
  errorCode?: string
  errorMessage?: string
}

/** Reads a status callback's form; undefined when it is malformed. */
export function parseStatusCallback(params: Record<string, string>): StatusCallback | undefined {
  const sid = params.MessageSid ?? params.SmsSid
  const twilioStatus = params.MessageStatus ?? params.SmsStatus
  if (!sid || !SID.test(sid) || !twilioStatus) return undefined
  const errorCode = params.ErrorCode && params.ErrorCode !== '0' ? params.ErrorCode : undefined
  return {
    sid,
    status: statusFromTwilio(twilioStatus),
    accountSid: params.AccountSid,
    errorCode,
    errorMessage: errorCode ? describeDeliveryError(errorCode) : undefined,
  }
}

/** Readable text for a delivery error code. */
export function describeDeliveryError(code: string): string {
  return TWILIO_DELIVERY_ERRORS[code] ?? `Twilio error ${code}`
}

/** A signed Twilio form post (a status callback or a reply), as the handlers take it. */
export interface SignedForm {
  params: Record<string, string>
  query: string
  signature: string
  requestId: string
}

/** Whether the platform's own Twilio account (ATLAS, when configured) signed these parameters for this URL. */
export function signedByPlatform(atlas: Config['atlas'], signature: string, url: string, params: Record<string, string>) {
  return Boolean(atlas && signedBy({ accountSid: atlas.accountSid, token: atlas.authToken }, signature, url, params))
}

/**
 * Whether Twilio signed these parameters for this URL with the account's token (and the
 * callback names that account, when it names one).
 */
export function signedBy(account: { accountSid: string; token: string }, signature: string, url: string, params: Record<string, string>) {
  if (!signature || !twilio.validateRequest(account.token, signature, url, params)) return false
  return !params.AccountSid || params.AccountSid === account.accountSid
}
