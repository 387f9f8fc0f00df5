import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCipher } from '../../src/crypto.js'

describe('secrets at rest (AES-256-GCM)', () => {
  const cipher = createCipher(randomBytes(32))
  it('round-trips, with a fresh IV each time', () => {
    const a = cipher.encrypt('token-123', 'user-1')
    const b = cipher.encrypt('token-123', 'user-1')
    expect(a).not.toBe(b)
    expect(a).not.toContain('token-123')
    expect(cipher.decrypt(a, 'user-1')).toBe('token-123')
  })

  it('refuses a tampered ciphertext, another user context or another key', () => {
    const sealed = cipher.encrypt('token-123', 'user-1')
    const [v, iv, tag, ct] = sealed.split('.') as [string, string, string, string]
    const flipped = Buffer.from(ct, 'base64url')
    flipped[0] = (flipped[0] ?? 0) ^ 1
    expect(() => cipher.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'), 'user-1')).toThrow()
    expect(() => cipher.decrypt(sealed, 'user-2')).toThrow()
    expect(() => createCipher(randomBytes(32)).decrypt(sealed, 'user-1')).toThrow()
    expect(() => cipher.decrypt('garbage', 'user-1')).toThrow('Unrecognised secret format')
  })
})
