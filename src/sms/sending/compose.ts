import type { SendSmsError } from '../../errors.js'
import type { SendAction } from '../../stores/sendContext.js'
import type { SendRequest } from './input.js'
import { checkRecipient } from './phone.js'
import { refuse } from './refusals.js'
import { MAX_BODY_CHARS, measure } from './segments.js'
import { renderTemplate } from './template.js'

/** A composed text, ready to store. */
export interface Composed {
  to: string
  requestedTo: string | null
  body: string
  segments: number
  encoding: 'GSM7' | 'UCS2'
}

/** A text that cannot go: the refusal, and what could be worked out (recorded with it). */
export interface Refused {
  refusal: SendSmsError
  partial: Composed
}

/** The numbers compose() may pick (`to` or the caller), in E.164 ('' when unusable). */
export function candidates(i: SendRequest): [string, string] {
  const caller = i.call.customerPhoneNumber
  const e164 = (raw: string) => {
    const r = checkRecipient(raw, caller)
    return r.ok ? r.e164 : ''
  }
  return [e164(i.to || caller), e164(caller)]
}

const CALLER_UNREACHABLE =
  "The caller's number can't receive texts, and this text can only go to the caller's number; tell them you can't text them, and offer to share the information another way."

/** Recipient and body, checked and measured. */
export function compose(action: SendAction, i: SendRequest): Composed | Refused {
  const caller = i.call.customerPhoneNumber
  const asked = action.recipientPolicy === 'ANY' ? i.to || caller : caller
  const requestedTo = action.recipientPolicy === 'CALLER_ONLY' && i.to && i.to !== caller ? i.to : null
  let body = (i.body ?? '').trim()
  let missing: string[] = []
  if (action.messageTemplate) ({ text: body, missing } = renderTemplate(action.messageTemplate, i.variables ?? {}))
  const size = measure(body)
  const partial = { to: asked, requestedTo, body, segments: size.segments, encoding: size.encoding }
  const recipient = checkRecipient(asked, caller)
  // Under CALLER_ONLY the tool has no number to ask for: the caller's own cannot take texts.
  const agent = action.recipientPolicy === 'CALLER_ONLY' ? CALLER_UNREACHABLE : undefined
  if (!recipient.ok) return { refusal: refuse(recipient.code, recipient.reason, agent), partial }
  const composed = { ...partial, to: recipient.e164 }
  if (missing.length) {
    const names = missing.join(', ')
    const agent = `The message needs ${names}; get ${missing.length > 1 ? 'them' : 'it'} from the caller and try again.`
    return { refusal: refuse('VALIDATION', `variables missing: ${names}`, agent), partial: composed }
  }
  if (!body) {
    const agent = 'The message is empty; say what the text should contain and try again.'
    return { refusal: refuse('VALIDATION', 'body is required', agent), partial: composed }
  }
  if (size.characters > MAX_BODY_CHARS) {
    return { refusal: refuse('BODY_TOO_LONG', `body has ${size.characters} characters (max ${MAX_BODY_CHARS})`), partial: composed }
  }
  return composed
}
