import { randomBytes } from 'node:crypto'
import { config } from './config.js'
import { safeEqual, sha256 } from './crypto.js'
import { db } from './db.js'
import type { ApiKeyRole } from './generated/prisma/enums.js'

export type Auth = { kind: 'operator' } | { kind: 'key'; keyId: string; userId: string; role: ApiKeyRole }

const KEY_PREFIX = 'sk_'

/** A new random API key, with the short prefix shown in listings and the hash to store. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`
  return { key, prefix: key.slice(0, 10), hash: sha256(key) }
}

/** Extracts the token of a `Bearer <token>` value. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return m?.[1]
}

/** Resolves a bearer token to the operator or a live API key; null when neither. */
export async function authenticate(token: string | undefined): Promise<Auth | null> {
  if (!token) return null
  if (config.adminToken && safeEqual(token, config.adminToken)) return { kind: 'operator' }
  if (!token.startsWith(KEY_PREFIX)) return null
  // Every request passes here: one raw statement costs a fraction of Prisma's query path (bench/statements.ts).
  const [key] = await db.$queryRaw<{ id: string; userId: string; role: ApiKeyRole }[]>`
    SELECT "id", "userId", "role" FROM "ApiKey" WHERE "hash" = ${sha256(token)} AND "revokedAt" IS NULL`
  if (!key) return null
  return { kind: 'key', keyId: key.id, userId: key.userId, role: key.role }
}

/** The user a key-authenticated caller acts for; throws if the caller is not a key. */
export function userIdOf(auth: Auth | null): string {
  if (auth?.kind !== 'key') throw new Error('userIdOf called without a key-authenticated caller')
  return auth.userId
}
