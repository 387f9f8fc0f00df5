import type { Cipher } from '../../../crypto.js'
import type { AccountsStore, StoredTwilioAccount } from '../../../stores/accounts.js'
import type { TwilioCredentials } from '../types.js'
import { signedBy } from './callback.js'

const TTL_MS = 30_000

/** Why credentials sealed under another ENCRYPTION_KEY are refused: they can only be set again. */
export const UNREADABLE_CREDENTIALS =
  'The stored Twilio credentials cannot be read (sealed under another ENCRYPTION_KEY); set them again (setTwilioCredentials)'
const MAX = 10_000

/**
 * Users' Twilio credentials, decrypted: the one place that decrypts them. Kept for 30 s
 * (callbacks arrive in bursts per message); `fresh` reads them again, and callers re-check with it
 * before refusing anything on an account.
 */
export class TwilioCredentialStore {
  private readonly cache = new Map<string, { credentials: TwilioCredentials & { at: number }; sealed: string }>()

  constructor(
    private readonly accounts: AccountsStore,
    private readonly cipher: Cipher,
  ) {}

  async of(userId: string, fresh = false): Promise<TwilioCredentials | undefined> {
    const hit = this.cache.get(userId)?.credentials
    if (hit && !fresh && Date.now() - hit.at < TTL_MS) return hit
    const account = await this.accounts.twilioAccount(userId)
    if (!account) {
      this.cache.delete(userId)
      return undefined
    }
    return this.decrypted(userId, account)
  }

  /**
   * Credentials just read from the database, decrypted and remembered; decrypted again only when
   * what is stored changed (every send reads them with its context). Undefined when they cannot be
   * decrypted (sealed under another ENCRYPTION_KEY): unusable until set again.
   */
  decrypted(userId: string, account: StoredTwilioAccount): TwilioCredentials | undefined {
    const known = this.cache.get(userId)
    const same = known?.sealed === account.authTokenEnc && known.credentials.accountSid === account.accountSid
    const token = same ? known.credentials.token : this.cipher.open(account.authTokenEnc, userId)
    if (token === undefined) {
      this.cache.delete(userId)
      return undefined
    }
    const value = { accountSid: account.accountSid, token, at: Date.now() }
    this.cache.delete(userId)
    if (this.cache.size >= MAX) this.cache.delete(this.cache.keys().next().value as string)
    this.cache.set(userId, { credentials: value, sealed: account.authTokenEnc })
    return value
  }

  /**
   * The users holding account `accountSid` whose token signed these parameters for `url` (a
   * callback or reply Twilio posted for that account).
   */
  async signers(accountSid: string, signature: string, url: string, params: Record<string, string>): Promise<string[]> {
    const accounts = await this.accounts.twilioAccountsOf(accountSid)
    return accounts
      .filter((account) => {
        const opened = this.decrypted(account.userId, account)
        return opened !== undefined && signedBy(opened, signature, url, params)
      })
      .map((account) => account.userId)
  }

  /** Seals a token for storage. */
  seal(userId: string, token: string): string {
    return this.cipher.encrypt(token, userId)
  }

  /** Drops what this process remembers of a user's credentials (they changed). */
  forget(userId: string): void {
    this.cache.delete(userId)
  }
}
