import type { ErrorCode } from '../../../errors.js'
import type { SmsDeliveryStatus } from '../../../generated/prisma/enums.js'

/** What Twilio's synchronous errors on message creation mean for us. */
export const TWILIO_SEND_ERRORS: Record<number, { code: ErrorCode; message: string }> = {
  21211: { code: 'INVALID_RECIPIENT', message: 'Twilio: the To number is not a valid phone number' },
  21614: { code: 'LANDLINE_RECIPIENT', message: 'Twilio: the To number cannot receive SMS (landline or unreachable carrier)' },
  21610: { code: 'OPTED_OUT', message: 'Twilio: the recipient has replied STOP to this sender' },
  20003: { code: 'TWILIO_CREDENTIALS_INVALID', message: 'Twilio rejected the account credentials' },
  21408: { code: 'RECIPIENT_NOT_ALLOWED', message: 'Twilio: this account may not send to that region' },
  21612: { code: 'RECIPIENT_NOT_ALLOWED', message: 'Twilio: the From number cannot reach this To number' },
}

/** Readable text for the delivery error codes of status callbacks. */
export const TWILIO_DELIVERY_ERRORS: Record<string, string> = {
  '30001': 'Queue overflow: too many messages were queued for the sender',
  '30002': 'Account suspended',
  '30003': 'Unreachable destination handset (off or out of coverage)',
  '30004': 'Message blocked by the recipient or their carrier',
  '30005': 'Unknown destination handset (the number does not exist)',
  '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered by the carrier (spam or content rules)',
  '30008': 'Unknown error from the carrier',
  '30009': 'Missing segment of a multi-part message',
  '30010': 'Message price exceeds the max price',
  '30034': 'Sender not registered for A2P 10DLC',
}

/** Our error code for a stored delivery error code (a Twilio number or one of our codes). */
export function errorCodeOf(stored: string | null | undefined): ErrorCode {
  if (!stored) return 'PROVIDER_ERROR'
  const known = TWILIO_SEND_ERRORS[Number(stored)]
  if (known) return known.code
  return /^[A-Z_]+$/.test(stored) ? (stored as ErrorCode) : 'PROVIDER_ERROR'
}

/** Twilio's message status in our terms (undefined for statuses of inbound messages). */
export function statusFromTwilio(status: string | undefined): SmsDeliveryStatus | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
      return 'QUEUED'
    case 'sending':
      return 'SENDING'
    case 'sent':
      return 'SENT'
    case 'delivered':
    case 'read':
      return 'DELIVERED'
    case 'undelivered':
      return 'UNDELIVERED'
    case 'failed':
    case 'canceled':
      return 'FAILED'
    default:
      return undefined
  }
}
