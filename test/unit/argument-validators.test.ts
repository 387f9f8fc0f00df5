import { describe, expect, it } from 'vitest'
import { ArgumentValidators } from '../../src/sms/agent/validators.js'

const action = (n: number) => ({
  name: `send_${n}`,
  description: 'd',
  recipientPolicy: 'CALLER_ONLY' as const,
  messageTemplate: `Your code is {{code_${n}}}.`,
  requiresConsent: false,
})

describe('tool argument validators', () => {
  it('compile each schema once, and keep no more than their limit compiled, in Ajv’s cache too', () => {
    const validators = new ArgumentValidators(50)
    const first = validators.for(action(0) as never)
    expect(validators.for(action(0) as never)).toBe(first)
    expect(first({ code_0: '1234' })).toBe(true)
    expect(first({ code_0: 1234 })).toBe(false)
    for (let n = 1; n < 500; n++) validators.for(action(n) as never)
    // Ajv's meta-schema, and the last 50 schemas.
    expect(validators.compiled).toBeLessThanOrEqual(51)
    expect(validators.for(action(499) as never)({ code_499: 'x' })).toBe(true)
  })
})
