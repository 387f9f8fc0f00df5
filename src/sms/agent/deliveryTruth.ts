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
  PROVIDER_ERROR: 'the text service did not confirm it',
}

// Why a text was refused before it went out (never the stored errorMessage: it may name a full number).
const REFUSALS: Record<string, string> = {
  OPTED_OUT: "the number has opted out of texts; don't text it",
  INVALID_RECIPIENT: 'the number is not valid',
  LANDLINE_RECIPIENT: 'the number is a landline',
  RECIPIENT_NOT_ALLOWED: 'texts cannot be sent to that number',
  CALL_LIMIT_REACHED: 'the limit of texts for this call was reached',
  RECIPIENT_LIMIT_REACHED: 'that number has had as many texts as allowed for now',
  DAILY_LIMIT_REACHED: 'the daily limit of texts was reached',
  RATE_LIMITED: 'too many texts were going out at the time',
  CONSENT_REQUIRED: 'the caller had not agreed to it yet',
  BODY_TOO_LONG: 'the message was too long',
  VALIDATION: 'the request was missing something',
  ACTION_DISABLED: 'that text is switched off',
  ACTION_NOT_ATTACHED: 'that text is not enabled for this campaign',
}

/** How many texts that went out (or are going) are told one by one; refusals are counted after them. */
const TOLD = 3

/** One sentence about one text: where it is, and what to do when it did not arrive. */
function sentence(d: SmsDelivery): string {
  const where = `The text to ${spokenNumber(d.to)}`
  const sandbox = d.sandbox ? ' (in the sandbox: nothing really left the platform)' : ''
  switch (d.status) {
    case 'DELIVERED':
      return `${where} was delivered${sandbox}.`
    case 'SENT':
      return `${where} was sent${sandbox}; the carrier has not confirmed delivery yet.`
    case 'PENDING':
      // Attempted, not taken yet: the text service did not answer (yet), so it may or may not go out.
      if (d.attempts > 0)
        return `${where} has not been taken by the text service yet${sandbox}; it may still go out, so don't send it again.`
      return `${where} is on its way${sandbox}; it has not been confirmed delivered yet.`
    case 'QUEUED':
    case 'SENDING':
      return `${where} is on its way${sandbox}; it has not been confirmed delivered yet.`
    case 'REJECTED':
      return `${where} was not sent: ${(d.errorCode && REFUSALS[d.errorCode]) ?? 'it was refused'}.`
    default: {
      const reason = (d.errorCode && REASONS[d.errorCode]) ?? 'the carrier did not deliver it'
      return `${where} could not be delivered: ${reason}; offer to read it out or share it another way.`
    }
  }
}

/**
 * What the agent can be told about a call's texts (newest first): the latest that went out one by
 * one, then how many attempts were refused, so a delivered text is never hidden behind refusals.
 */
export function deliveryTruth(deliveries: SmsDelivery[]): string {
  if (deliveries.length === 0) return 'No text has been sent on this call yet.'
  const went = deliveries.filter((d) => d.status !== 'REJECTED')
  const refused = deliveries.filter((d) => d.status === 'REJECTED')
  if (went.length === 0) {
    const [latest] = refused as [SmsDelivery]
    const others = refused.length - 1
    return `${sentence(latest)}${others ? ` ${others === 1 ? 'One earlier attempt was' : `${others} earlier attempts were`} refused too.` : ''}`
  }
  const told = went.slice(0, TOLD).map(sentence)
  if (went.length > TOLD) told.push(`${went.length - TOLD} earlier ${went.length - TOLD === 1 ? 'text is' : 'texts are'} not listed.`)
  if (refused.length)
    told.push(`${refused.length === 1 ? 'One other attempt was' : `${refused.length} other attempts were`} refused and not sent.`)
  return told.join(' ')
}
