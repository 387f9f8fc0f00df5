import type { SmsDelivery } from '../../stores/deliveries.js'
import { spokenNumber } from '../sending/phone.js'

// Why a text did not arrive, in words the agent can pass on (Twilio's delivery codes and ours).
const REASONS: Record<string, string> = {
  '30003': 'the phone is unreachable (switched off or out of coverage)',
  '30004': 'the recipient or their carrier blocked it',
  '30005': 'the number does not exist',
  '30006': 'the number is a landline or cannot receive texts',
  '30007': 'the carrier filtered it',
  '30008': 'the carrier gave no reason',
  '21610': 'the number has opted out of texts',
  '21211': 'the number is not valid',
  '21614': 'the number cannot receive texts',
  OPTED_OUT: 'the number has opted out of texts',
  INVALID_RECIPIENT: 'the number is not valid',
  LANDLINE_RECIPIENT: 'the number is a landline',
  PROVIDER_UNAVAILABLE: 'the text service was unavailable',
}

/** One sentence about one text: where it is, and what to do when it did not arrive. */
function sentence(d: SmsDelivery): string {
  const where = `The text to ${spokenNumber(d.to)}`
  const sandbox = d.sandbox ? ' (in the sandbox: nothing really left the platform)' : ''
  switch (d.status) {
    case 'DELIVERED':
      return `${where} was delivered${sandbox}.`
    case 'SENT':
      return `${where} was sent; the carrier has not confirmed delivery yet.`
    case 'PENDING':
    case 'QUEUED':
    case 'SENDING':
      return `${where} is on its way; it has not been confirmed delivered yet.`
    case 'REJECTED':
      return `${where} was not sent: ${d.errorMessage ?? d.errorCode ?? 'it was refused'}.`
    default: {
      const reason = (d.errorCode && REASONS[d.errorCode]) ?? 'the carrier did not deliver it'
      return `${where} could not be delivered: ${reason}; offer to read it out or share it another way.`
    }
  }
}

/** What the agent can be told about a call's texts (newest first), in a sentence or a few. */
export function deliveryTruth(deliveries: SmsDelivery[]): string {
  if (deliveries.length === 0) return 'No text has been sent on this call yet.'
  return deliveries.slice(0, 3).map(sentence).join(' ')
}
