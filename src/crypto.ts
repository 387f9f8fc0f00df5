import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const VERSION = 'v1'

/**
 * Seals secrets at rest with AES-256-GCM; `context` (e.g. the user id) is bound as associated data.
 * Values sealed under a previous key (ENCRYPTION_KEY_PREVIOUS) still open, so the key can be rotated.
 */
export interface Cipher {
  encrypt(plain: string, context: string): string
  /** Throws if the sealed value was tampered with, sealed for another context, or under no key known here. */
  decrypt(sealed: string, context: string): string
  /** The same, undefined where decrypt throws. */
  open(sealed: string, context: string): string | undefined
  /** Whether the value opens under the current key: resealing it would change nothing. */
  isCurrent(sealed: string, context: string): boolean
}

function unseal(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ct] = sealed.split('.')
  if (version !== VERSION || !iv || !tag || !ct) throw new Error('Unrecognised secret format')
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
}

export function createCipher(key: Buffer, previous: readonly Buffer[] = []): Cipher {
  return {
    encrypt(plain, context) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(context))
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')
    },
    decrypt(sealed, context) {
      try {
        return unseal(key, sealed, context)
      } catch (e) {
        // GCM's tag tells the key apart: a value sealed under another key fails to open, quickly.
        for (const old of previous) {
          const plain = attempt(() => unseal(old, sealed, context))
          if (plain !== undefined) return plain
        }
        throw e
      }
    },
    open(sealed, context) {
      return attempt(() => this.decrypt(sealed, context))
    },
    isCurrent(sealed, context) {
      return attempt(() => unseal(key, sealed, context)) !== undefined
    },
  }
}

function attempt(open: () => string): string | undefined {
  try {
    return open()
  } catch {
    return undefined
  }
}

/** SHA-256, hex. API keys are 192-bit random, so a fast hash is enough to store them safely. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** Compares two strings in constant time (for the operator token). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(a)), Buffer.from(sha256(b)))
}
