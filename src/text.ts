import { z } from 'zod'

const isControl = (c: number) => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f
const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff

/**
 * Whether a string holds a character no field accepts: a lone UTF-16 surrogate (it cannot be
 * stored or sent) or a control character other than tab and line breaks (no place in a text, and
 * PostgreSQL refuses NUL outright).
 */
export function hasBadCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (isControl(c) || isLow(c)) return true
    if (isHigh(c)) {
      if (!isLow(value.charCodeAt(i + 1))) return true
      i++
    }
  }
  return false
}

export const BAD_CHARACTER_MESSAGE = 'contains a character that is not allowed (a control character or a lone surrogate)'

/** A string that holds no such character. */
export const cleanText = () => z.string().refine((v) => !hasBadCharacter(v), BAD_CHARACTER_MESSAGE)
