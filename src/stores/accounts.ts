import { type Db, type Dialect, isUniqueViolation, Prisma } from '../db/client.js'
import { providerList } from '../db/rows.js'
import { AlreadyExistsError, LimitReachedError } from '../errors.js'
import type { ApiKeyRole, SmsProvider } from '../generated/prisma/enums.js'
import { createWithinCap, type Tx, tooMany } from './caps.js'

/** The largest text limit a user may be given, through the API or the CLI. */
export const MAX_TEXT_LIMIT = 10_000_000

/** The User columns that hold the operator's limits. */
export type LimitColumn = 'textsPerMinute' | 'textsPerDay' | 'recipientTextsPerHour' | 'recipientTextsPerDay'

/** Keys an account keeps in all (revoked ones included), per unrevoked key it may hold. */
const KEYS_KEPT_PER_UNREVOKED = 10
/** How long a revoked key is kept before it may be forgotten. */
const REVOKED_KEY_KEPT_MS = 86_400_000

/** Forgets the oldest keys revoked before `revokedBefore` until the account holds fewer than `kept`. */
async function makeRoomForKey(tx: Tx, userId: string, kept: number, revokedBefore: Date) {
  const excess = (await tx.apiKey.count({ where: { userId } })) - kept + 1
  if (excess <= 0) return
  const old = await tx.apiKey.findMany({
    where: { userId, revokedAt: { lt: revokedBefore } },
    orderBy: [{ revokedAt: 'asc' }, { id: 'asc' }],
    take: excess,
    select: { id: true },
  })
  if (old.length < excess) throw new LimitReachedError(`An account keeps at most ${kept} API keys, those revoked in the last day included`)
  await tx.apiKey.deleteMany({ where: { id: { in: old.map((k) => k.id) } } })
}

/** A stored API key, as authentication needs it. */
export interface StoredKey {
  id: string
  userId: string
  role: ApiKeyRole
}

/** A key to store: its display prefix and the hash of the whole key. */
export interface NewKey {
  name: string
  role: ApiKeyRole
  prefix: string
  hash: string
}

/** A user's Twilio account, the token encrypted. */
export interface StoredTwilioAccount {
  accountSid: string
  authTokenEnc: string
}

/** The account aggregate: User, ApiKey and TwilioAccount. */
export function accountsStore(db: Db, dialect: Dialect) {
  return {
    /** Creates a user with its first OWNER key; ALREADY_EXISTS when the email is taken. */
    async createUser(input: { email: string; name: string | null; enabledProviders: readonly SmsProvider[]; key: NewKey }) {
      try {
        const user = await db.user.create({
          data: {
            email: input.email.toLowerCase(),
            name: input.name,
            enabledProviders: providerList.format(input.enabledProviders),
            apiKeys: { create: input.key },
          },
          select: { id: true, apiKeys: { select: { id: true } } },
        })
        return { userId: user.id, apiKeyId: user.apiKeys[0]?.id as string }
      } catch (e) {
        if (isUniqueViolation(e)) throw new AlreadyExistsError(`A user with email ${input.email} already exists`)
        throw e
      }
    },

    /** Every request passes here: read the cheapest way the engine has. */
    async liveKeyByHash(hash: string): Promise<StoredKey | undefined> {
      const [key] = await dialect.read(
        Prisma.sql`SELECT "id", "userId", "role" FROM "ApiKey" WHERE "hash" = ${hash} AND "revokedAt" IS NULL`,
      )
      return key as StoredKey | undefined
    },

    /**
     * Creates a key while the user has fewer than `cap` unrevoked ones. An account keeps ten times
     * `cap` keys in all: past that, the oldest revoked more than a day ago are forgotten (a day, so
     * every instance has heard of the revocation); when none can be, LIMIT_REACHED.
     */
    async createKey(userId: string, key: NewKey, cap: number, now: Date): Promise<{ id: string }> {
      return createWithinCap(
        db,
        userId,
        { cap, refusal: tooMany('unrevoked API keys') },
        (tx) => tx.apiKey.count({ where: { userId, revokedAt: null } }),
        async (tx) => {
          await makeRoomForKey(tx, userId, cap * KEYS_KEPT_PER_UNREVOKED, new Date(now.getTime() - REVOKED_KEY_KEPT_MS))
          return tx.apiKey.create({ data: { userId, ...key }, select: { id: true } })
        },
      )
    },

    /** A key by id, of one user when `userId` is given. */
    async findKey(id: string, userId?: string) {
      return db.apiKey.findFirst({ where: { id, ...(userId ? { userId } : {}) }, select: { id: true, revokedAt: true } })
    },

    /** The ids of the keys revoked after `at`. */
    async revokedSince(at: Date): Promise<string[]> {
      const keys = await db.apiKey.findMany({ where: { revokedAt: { gt: at } }, select: { id: true } })
      return keys.map((k) => k.id)
    },

    async revokeKey(id: string, at: Date): Promise<void> {
      await db.apiKey.update({ where: { id }, data: { revokedAt: at } })
    },

    async userExists(id: string): Promise<boolean> {
      return (await db.user.findUnique({ where: { id }, select: { id: true } })) !== null
    },

    /** A user by id or email. */
    async findUser(idOrEmail: string) {
      const user = await db.user.findFirst({ where: { OR: [{ id: idOrEmail }, { email: idOrEmail.toLowerCase() }] } })
      return user && { id: user.id, email: user.email }
    },

    /** Whether the database has been migrated (its tables exist). */
    async hasTables(): Promise<boolean> {
      return db.user.count().then(
        () => true,
        (e: Error) => {
          if (/does not exist|no such table/i.test(e.message)) return false
          throw e
        },
      )
    },

    /** A user's keys, oldest first. */
    async listKeys(userId: string) {
      return db.apiKey.findMany({
        where: { userId },
        orderBy: { createdAt: 'asc' },
        select: { id: true, prefix: true, role: true, name: true, createdAt: true, revokedAt: true },
      })
    },

    async countUsers(): Promise<number> {
      return db.user.count()
    },

    /** Every user with its providers and how many keys it has, oldest first. */
    async listUsers() {
      const users = await db.user.findMany({ orderBy: { createdAt: 'asc' }, include: { _count: { select: { apiKeys: true } } } })
      return users.map((u) => ({
        id: u.id,
        email: u.email,
        enabledProviders: providerList.parse(u.enabledProviders),
        keys: u._count.apiKeys,
      }))
    },

    /** Sets the limits the operator chose for a user (null: back to the configured default). */
    async setLimits(userId: string, limits: Partial<Record<LimitColumn, number | null>>): Promise<void> {
      await db.user.update({ where: { id: userId }, data: limits })
    },

    async enabledProviders(userId: string): Promise<SmsProvider[]> {
      const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { enabledProviders: true } })
      return providerList.parse(user.enabledProviders)
    },

    async setEnabledProviders(userId: string, providers: readonly SmsProvider[]): Promise<void> {
      await db.user.update({ where: { id: userId }, data: { enabledProviders: providerList.format(providers) } })
    },

    /** The user's providers and Twilio account (token encrypted), for checking an action's settings. */
    async providerSetup(userId: string): Promise<{ enabledProviders: SmsProvider[]; twilio: StoredTwilioAccount | null }> {
      const user = await db.user.findUniqueOrThrow({
        where: { id: userId },
        select: { enabledProviders: true, twilio: { select: { accountSid: true, authTokenEnc: true } } },
      })
      return { enabledProviders: providerList.parse(user.enabledProviders), twilio: user.twilio }
    },

    /** The users whose Twilio account is `accountSid` (whose numbers a reply to that account went to), with the account. */
    async twilioAccountsOf(accountSid: string): Promise<(StoredTwilioAccount & { userId: string })[]> {
      return db.twilioAccount.findMany({ where: { accountSid }, select: { userId: true, accountSid: true, authTokenEnc: true } })
    },

    /** Read for every Twilio send handed to a worker (a token rotated elsewhere must hold at once): on the driver. */
    async twilioAccount(userId: string): Promise<StoredTwilioAccount | null> {
      const [row] = await dialect.read(Prisma.sql`SELECT "accountSid", "authTokenEnc" FROM "TwilioAccount" WHERE "userId" = ${userId}`)
      return row ? { accountSid: String(row.accountSid), authTokenEnc: String(row.authTokenEnc) } : null
    },

    async saveTwilioAccount(userId: string, account: StoredTwilioAccount, verifiedAt: Date): Promise<void> {
      const data = { ...account, verifiedAt }
      await db.twilioAccount.upsert({ where: { userId }, create: { userId, ...data }, update: data })
    },

    async clearTwilioAccount(userId: string): Promise<void> {
      await db.twilioAccount.deleteMany({ where: { userId } })
    },

    /** A page of sealed Twilio auth tokens, by user id (past `after`), for resealing under a new key. */
    async sealedTokens(after: string | undefined, limit: number): Promise<{ owner: string; sealed: string }[]> {
      const rows = await db.twilioAccount.findMany({
        where: after ? { userId: { gt: after } } : {},
        orderBy: { userId: 'asc' },
        take: limit,
        select: { userId: true, authTokenEnc: true },
      })
      return rows.map((r) => ({ owner: r.userId, sealed: r.authTokenEnc }))
    },

    /** Replaces a sealed token unless it changed since it was read (true when replaced). */
    async resealToken(userId: string, was: string, sealed: string): Promise<boolean> {
      const { count } = await db.twilioAccount.updateMany({ where: { userId, authTokenEnc: was }, data: { authTokenEnc: sealed } })
      return count === 1
    },
  }
}

export type AccountsStore = ReturnType<typeof accountsStore>
