import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCipher } from '../../src/crypto.js'
import { TwilioCredentialStore } from '../../src/sms/providers/twilio/credentials.js'
import type { AccountsStore } from '../../src/stores/accounts.js'

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

describe('key rotation (ENCRYPTION_KEY_PREVIOUS)', () => {
  it('opens values sealed under a previous key, seals under the current one, and tells which is which', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)]
    const sealedOld = createCipher(oldKey).encrypt('token-123', 'user-1')
    const rotated = createCipher(newKey, [randomBytes(32), oldKey])
    expect(rotated.decrypt(sealedOld, 'user-1')).toBe('token-123')
    expect(rotated.isCurrent(sealedOld, 'user-1')).toBe(false)
    expect(() => rotated.decrypt(sealedOld, 'user-2')).toThrow()
    const sealedNew = rotated.encrypt('token-123', 'user-1')
    expect(rotated.isCurrent(sealedNew, 'user-1')).toBe(true)
    expect(createCipher(newKey).decrypt(sealedNew, 'user-1')).toBe('token-123')
    expect(createCipher(oldKey).open(sealedNew, 'user-1')).toBeUndefined()
    expect(createCipher(newKey).open(sealedOld, 'user-1')).toBeUndefined()
  })
})

describe('Twilio credentials, decrypted', () => {
  const cipher = createCipher(randomBytes(32))
  let decrypts = 0
  const counting = {
    ...cipher,
    decrypt: (sealed: string, context: string) => {
      decrypts++
      return cipher.decrypt(sealed, context)
    },
  }
  // `decrypted` reads nothing from the database: it is given what a send's context read.
  const store = new TwilioCredentialStore({} as AccountsStore, counting)

  it('once per stored value: again only when what is stored changed', () => {
    const first = { accountSid: 'AC1', authTokenEnc: cipher.encrypt('token-1', 'user-1') }
    expect(store.decrypted('user-1', first)?.token).toBe('token-1')
    expect(store.decrypted('user-1', { ...first })?.token).toBe('token-1')
    expect(decrypts).toBe(1)
    const changed = { accountSid: 'AC1', authTokenEnc: cipher.encrypt('token-2', 'user-1') }
    expect(store.decrypted('user-1', changed)?.token).toBe('token-2')
    expect(decrypts).toBe(2)
    expect(store.decrypted('user-2', { ...first, authTokenEnc: cipher.encrypt('token-3', 'user-2') })?.token).toBe('token-3')
    expect(decrypts).toBe(3)
  })

  it('answers nothing for credentials sealed under another key, rather than throwing', () => {
    const other = createCipher(randomBytes(32))
    expect(store.decrypted('user-4', { accountSid: 'AC4', authTokenEnc: other.encrypt('token-4', 'user-4') })).toBeUndefined()
  })

  it('refuses a stored value sealed for another user, even after decrypting that user’s', () => {
    const sealed = cipher.encrypt('token-1', 'user-1')
    store.decrypted('user-1', { accountSid: 'AC1', authTokenEnc: sealed })
    expect(store.decrypted('user-3', { accountSid: 'AC1', authTokenEnc: sealed })).toBeUndefined()
  })
})
