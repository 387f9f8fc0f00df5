import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'

process.env.ENCRYPTION_KEY = randomBytes(32).toString('base64')
process.env.LOG_LEVEL = 'silent'
const { decryptSecret, encryptSecret } = await import('../../src/crypto.js')

describe('secrets at rest (AES-256-GCM)', () => {
  const key = randomBytes(32)
  it('round-trips, with a fresh IV each time', () => {
    const a = encryptSecret('token-123', 'user-1', key)
    const b = encryptSecret('token-123', 'user-1', key)
    expect(a).not.toBe(b)
    expect(a).not.toContain('token-123')
    expect(decryptSecret(a, 'user-1', key)).toBe('token-123')
  })

  it('refuses a tampered ciphertext, another user context or another key', () => {
    const sealed = encryptSecret('token-123', 'user-1', key)
    const [v, iv, tag, ct] = sealed.split('.') as [string, string, string, string]
    const flipped = Buffer.from(ct, 'base64url')
    flipped[0] = (flipped[0] ?? 0) ^ 1
    expect(() => decryptSecret([v, iv, tag, flipped.toString('base64url')].join('.'), 'user-1', key)).toThrow()
    expect(() => decryptSecret(sealed, 'user-2', key)).toThrow()
    expect(() => decryptSecret(sealed, 'user-1', randomBytes(32))).toThrow()
    expect(() => decryptSecret('garbage', 'user-1', key)).toThrow('Unrecognised secret format')
  })
})
