import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max'

export type RecipientCheck = { ok: true; e164: string } | { ok: false; code: 'INVALID_RECIPIENT' | 'LANDLINE_RECIPIENT'; reason: string }

const CANNOT_TEXT = new Set(['PREMIUM_RATE', 'SHARED_COST', 'VOICEMAIL', 'UAN', 'PAGER'])

/**
 * Parses a recipient into E.164 and checks that it can receive texts. Numbers written without a
 * country code are read in the caller's country (`near`), as a person on the call would.
 */
export function checkRecipient(raw: string, near?: string): RecipientCheck {
  const key = `${raw}\u0000${near ?? ''}`
  let check = checked.get(key)
  if (!check) {
    check = parseRecipient(raw, near)
    if (checked.size >= 1000) checked.delete(checked.keys().next().value as string)
    checked.set(key, check)
  }
  return check
}

// A send checks the same numbers more than once, and a call's numbers come back in every send.
const checked = new Map<string, RecipientCheck>()

/** A number as written, national ones read in `near`'s country. */
function parsed(raw: string, near?: string) {
  const country = near ? parsePhoneNumberFromString(near)?.country : undefined
  return parsePhoneNumberFromString(raw.trim(), { defaultCountry: country as CountryCode | undefined })
}

function parseRecipient(raw: string, near?: string): RecipientCheck {
  const phone = parsed(raw, near)
  if (!phone?.isValid()) return { ok: false, code: 'INVALID_RECIPIENT', reason: `${raw} is not a valid phone number` }
  const type = phone.getType()
  if (type === 'FIXED_LINE') return { ok: false, code: 'LANDLINE_RECIPIENT', reason: `${phone.number} is a landline` }
  if (type && CANNOT_TEXT.has(type)) {
    return { ok: false, code: 'INVALID_RECIPIENT', reason: `${phone.number} is a ${type.toLowerCase().replace('_', ' ')} number` }
  }
  return { ok: true, e164: phone.number }
}

/** Any valid number in E.164 (national ones read in `near`'s country), or undefined. */
export function e164Of(raw: string, near?: string): string | undefined {
  const phone = parsed(raw, near)
  return phone?.isValid() ? phone.number : undefined
}

/** "the number ending 4567": how the agent refers to a number aloud without reading it all out. */
export function spokenNumber(e164: string): string {
  return `the number ending ${e164.slice(-4)}`
}
