import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from './clock.js'
import { sha256 } from './crypto.js'
import type { ApiKeyRole } from './generated/prisma/enums.js'
import type { PubSub } from './realtime/pubsub.js'
import type { AccountsStore, NewKey } from './stores/accounts.js'

/** A caller acting with one of a user's API keys. */
export interface Viewer {
  kind: 'key'
  keyId: string
  userId: string
  role: ApiKeyRole
}

export type Auth = { kind: 'operator' } | Viewer

const KEY_PREFIX = 'sk_'

/** A new random API key: the key (shown once) and what is stored of it. */
export function generateApiKey(name: string, role: ApiKeyRole): { key: string; stored: NewKey } {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`
  return { key, stored: { name, role, prefix: key.slice(0, 10), hash: sha256(key) } }
}

/** Extracts the token of a `Bearer <token>` value. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return m?.[1]
}

/** Resolves bearer tokens to the operator (ADMIN_TOKEN) or a live API key. */
export function createAuthenticator(adminToken: string | undefined, accounts: AccountsStore) {
  // Compared by hash, in constant time; the operator token's hash is taken once.
  const adminHash = adminToken === undefined ? undefined : Buffer.from(sha256(adminToken))
  return async (token: string | undefined): Promise<Auth | null> => {
    if (!token) return null
    const hash = sha256(token)
    if (adminHash && timingSafeEqual(Buffer.from(hash), adminHash)) return { kind: 'operator' }
    if (!token.startsWith(KEY_PREFIX)) return null
    const key = await accounts.liveKeyByHash(hash)
    return key ? { kind: 'key', keyId: key.id, userId: key.userId, role: key.role } : null
  }
}

export type Authenticate = ReturnType<typeof createAuthenticator>

/**
 * Revokes a key (of one user when `userId` is given) and tells every instance, so its open
 * subscriptions and sockets end at once. Revoking a revoked key changes nothing.
 */
export async function revokeApiKey(
  deps: { stores: { accounts: AccountsStore }; pubsub: PubSub; clock: Clock },
  id: string,
  userId?: string,
): Promise<'missing' | 'revoked' | 'already revoked'> {
  const key = await deps.stores.accounts.findKey(id, userId)
  if (!key) return 'missing'
  if (key.revokedAt) return 'already revoked'
  await deps.stores.accounts.revokeKey(key.id, deps.clock.now())
  deps.pubsub.publish('apiKey:revoked', { keyId: key.id })
  return 'revoked'
}
