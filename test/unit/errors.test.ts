import { describe, expect, it } from 'vitest'
import { AppError, refusalError, ValidationError } from '../../src/errors.js'

const frames = (stack = '') => stack.split('\n').filter((line) => /^\s+at /.test(line)).length

describe('expected refusals', () => {
  it('carry their code and message but no stack trace, and leave stack traces on for other errors', () => {
    const refused = refusalError('RATE_LIMITED', 'too many requests', { extensions: { retryAfter: 1 } })
    expect(refused.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 })
    expect(refused.message).toBe('too many requests')
    const invalid = new ValidationError('bad number', 'input.to')
    expect(invalid).toBeInstanceOf(AppError)
    expect([invalid.code, invalid.field, invalid.name]).toEqual(['VALIDATION', 'input.to', 'ValidationError'])
    expect([frames(refused.stack), frames(invalid.stack)]).toEqual([0, 0])
    expect(frames(new Error('unexpected').stack)).toBeGreaterThan(0)
  })
})
