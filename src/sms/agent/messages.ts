import type { ErrorCode } from '../../errors.js'
import { spokenNumber } from '../sending/phone.js'

const SETUP = "Texting isn't set up correctly on this account; tell the caller you can't send a text right now."

/** One sentence per refusal that the voice agent can say or act on. */
export const AGENT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: SETUP,
  FORBIDDEN: SETUP,
  NOT_FOUND: "That text action isn't available on this call; don't try it again.",
  ACTION_NOT_ATTACHED: "That text action isn't enabled for this campaign; tell the caller you can't send that text.",
  ACTION_DISABLED: "That text action is switched off; tell the caller you can't send that text right now.",
  PROVIDER_NOT_ENABLED: SETUP,
  TWILIO_CREDENTIALS_MISSING: SETUP,
  TWILIO_CREDENTIALS_INVALID: SETUP,
  INVALID_RECIPIENT: "That phone number isn't valid; ask the caller to repeat the full number, including the area code.",
  RECIPIENT_NOT_ALLOWED: "Texts can't be sent to that number; ask for another mobile number.",
  LANDLINE_RECIPIENT: "That number is a landline and can't receive texts; ask for a mobile number.",
  OPTED_OUT: "That number has opted out of our texts; don't text it, and offer to share the information another way.",
  CALL_LIMIT_REACHED: "The limit of texts for this call has been reached; don't send another one.",
  RATE_LIMITED: 'Too many texts are going out right now; wait a minute before trying again.',
  RECIPIENT_LIMIT_REACHED:
    "That number has already received as many texts as allowed for now; don't send another, and offer to share the information another way.",
  CONSENT_REQUIRED: 'Ask the caller whether they want this text first; send it only once they say yes, with callerAgreed set to true.',
  DAILY_LIMIT_REACHED: "No more texts can be sent from this account today; tell the caller you can't send a text right now.",
  BODY_TOO_LONG: 'That message is too long for a text; shorten it to under 1,600 characters and try again.',
  IDEMPOTENCY_CONFLICT: 'That tool call was already used for a different text; send it again as a new tool call.',
  PROVIDER_ERROR: "The text couldn't be sent; tell the caller, and offer to share the information another way.",
  PROVIDER_UNAVAILABLE:
    "The text service isn't answering right now, so the text hasn't gone out; try the same tool call again in a minute, or tell the caller it couldn't be sent yet.",
  TEMPORARILY_UNAVAILABLE: 'Texting is briefly unavailable; try the same tool call again in a few seconds.',
  VALIDATION: 'Something in that text request is missing or malformed; check it and try again.',
}

/** The agent's sentence for an error code. */
export function agentMessageFor(code: ErrorCode, override?: string): string {
  return override ?? AGENT_MESSAGES[code] ?? AGENT_MESSAGES.PROVIDER_ERROR ?? ''
}

/** What the agent is told of a stored text as it stands. */
function acceptedState(where: string, d: { status: string; attempts: number }): string {
  if (['SENT', 'DELIVERED'].includes(d.status)) return `Text sent to ${where}.`
  // Attempted, yet not taken: the provider did not answer (yet), so it may or may not go out.
  if (d.status === 'PENDING' && d.attempts > 0) {
    return `The text to ${where} isn't confirmed yet: the text service hasn't taken it yet. Don't send it again; check in a moment whether it went out.`
  }
  return `Text is on its way to ${where}.`
}

/** The agent's sentence for an accepted text. */
export function acceptedMessage(d: { to: string; status: string; attempts: number }, callerOnly: boolean): string {
  const done = acceptedState(spokenNumber(d.to), d)
  return callerOnly ? `${done} (This action only texts the caller, so the other number was not used.)` : done
}
