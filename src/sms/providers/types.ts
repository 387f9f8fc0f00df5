import type { ErrorCode } from '../../errors.js'
import type { SmsDeliveryStatus, SmsProvider } from '../../generated/prisma/enums.js'

/** One text to hand to a provider. */
export interface OutgoingSms {
  deliveryId: string
  userId: string
  provider: SmsProvider
  to: string
  fromNumber: string | null
  body: string
  createdAt: Date
  /** The user's Twilio credentials when the caller has just read them (a first attempt). */
  twilio?: { accountSid: string; token: string }
}

/** The text a stored delivery stands for. */
export function outgoingOf(d: Omit<OutgoingSms, 'deliveryId'> & { id: string }): OutgoingSms {
  return {
    deliveryId: d.id,
    userId: d.userId,
    provider: d.provider,
    to: d.to,
    fromNumber: d.fromNumber,
    body: d.body,
    createdAt: d.createdAt,
  }
}

/** The provider's answer to an accepted message. */
export interface Accepted {
  providerMessageId: string
  status: SmsDeliveryStatus
  sandbox: boolean
}

/** A provider refusal: transient ones are retried, permanent ones fail the delivery. */
export class ProviderFailure extends Error {
  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly code: ErrorCode,
    message: string,
    readonly providerCode?: string,
    /** No answer came (timeout, connection lost): the provider may have accepted the message. */
    readonly ambiguous = false,
  ) {
    super(message)
  }
}

export interface SmsTransport {
  send(sms: OutgoingSms): Promise<Accepted>
  /** A message the provider already holds for this delivery (after a crash mid-send), if any. */
  findExisting(sms: OutgoingSms): Promise<Accepted | undefined>
  /** The provider's current view of a sent message (for deliveries whose callbacks never came). */
  fetchStatus(sms: OutgoingSms, providerMessageId: string): Promise<FetchedStatus | undefined>
}

export interface FetchedStatus {
  status: SmsDeliveryStatus
  errorCode: string | null
}
