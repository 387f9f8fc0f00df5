import type { ErrorCode } from '../../errors.js'
import type { SmsDelivery } from '../../generated/prisma/client.js'
import type { SmsDeliveryStatus, SmsProvider } from '../../generated/prisma/enums.js'

/** Twilio credentials, the token decrypted. */
export interface TwilioCredentials {
  accountSid: string
  token: string
}

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
  twilio?: TwilioCredentials
}

/** The text a stored delivery stands for. */
export function outgoingOf(d: SmsDelivery, twilio?: TwilioCredentials): OutgoingSms {
  return {
    deliveryId: d.id,
    userId: d.userId,
    provider: d.provider,
    to: d.to,
    fromNumber: d.fromNumber,
    body: d.body,
    createdAt: d.createdAt,
    twilio,
  }
}

/** The provider's receipt for a message it accepted. */
export interface ProviderReceipt {
  providerMessageId: string
  status: SmsDeliveryStatus
  sandbox: boolean
}

/** The provider's current view of a message it accepted. */
export interface FetchedStatus {
  status: SmsDeliveryStatus
  errorCode: string | null
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

/** Where the provider's later status reports go (the sandbox simulates them). */
export type StatusReport = (
  deliveryId: string,
  status: SmsDeliveryStatus,
  message: { providerMessageId: string; sandbox: boolean },
) => Promise<unknown>

export interface SmsTransport {
  send(sms: OutgoingSms): Promise<ProviderReceipt>
  /**
   * A message the provider already holds for this delivery (after a crash mid-send), if any: one
   * `taken` says is recorded for a delivery already (another text with the same words) is not it.
   */
  findExisting(sms: OutgoingSms, taken: (providerMessageId: string) => Promise<boolean>): Promise<ProviderReceipt | undefined>
  /** The provider's current view of a sent message (for deliveries whose callbacks never came). */
  fetchStatus(sms: OutgoingSms, providerMessageId: string): Promise<FetchedStatus | undefined>
  /** Stops background work (the sandbox's simulated status changes). */
  stop?(): void
}
