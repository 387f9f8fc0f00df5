import { decryptSecret } from '../crypto.js'
import { db } from '../db.js'

interface Credentials {
  accountSid: string
  token: string
}
const cache = new Map<string, Credentials & { at: number }>()
const TTL_MS = 30_000
const MAX = 10_000

/**
 * A user's Twilio credentials, decrypted, kept for 30 s (callbacks arrive in bursts per message).
 * `fresh` reads them again: callers re-check with it before refusing anything on their account.
 */
export async function userTwilioCredentials(userId: string, fresh = false): Promise<Credentials | undefined> {
  const hit = cache.get(userId)
  if (hit && !fresh && Date.now() - hit.at < TTL_MS) return hit
  const account = await db.twilioAccount.findUnique({ where: { userId }, select: { accountSid: true, authTokenEnc: true } })
  if (!account) {
    cache.delete(userId)
    return undefined
  }
  return credentialsOf(userId, account)
}

/** Decrypts credentials just read from the database, and remembers them. */
export function credentialsOf(userId: string, account: { accountSid: string; authTokenEnc: string }): Credentials {
  const value = { accountSid: account.accountSid, token: decryptSecret(account.authTokenEnc, userId), at: Date.now() }
  cache.delete(userId)
  if (cache.size >= MAX) cache.delete(cache.keys().next().value as string)
  cache.set(userId, value)
  return value
}

/** Drops what this process remembers of a user's credentials (they changed). */
export function forgetCredentials(userId: string): void {
  cache.delete(userId)
}
