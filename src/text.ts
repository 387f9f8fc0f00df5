import { z } from 'zod'

// A lone UTF-16 surrogate cannot be stored or sent; control characters other than tab and line
// breaks have no place in a text, and PostgreSQL refuses NUL outright. (Built from a string: a
// regular expression literal of control characters reads as a mistake.)
const BAD_CHARACTER =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Whether a string holds a character no field accepts. */
export const hasBadCharacter = (value: string) => BAD_CHARACTER.test(value)

export const BAD_CHARACTER_MESSAGE = 'contains a character that is not allowed (a control character or a lone surrogate)'

/** A string that holds no such character. */
export const cleanText = () => z.string().refine((v) => !hasBadCharacter(v), BAD_CHARACTER_MESSAGE)
