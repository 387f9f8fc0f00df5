import type { Cipher } from './crypto.js'
import type { Stores } from './stores/index.js'
import { secretContext } from './webhooks/attempts.js'

/**
 * What resealing found: values sealed again under the current key, already under it, unreadable,
 * and still changing (rewritten by the service in every pass: run it again).
 */
export interface ResealReport {
  resealed: number
  current: number
  changed: number
  unreadable: string[]
}

/** Passes over the values: one changed while it was resealed is looked at again in the next. */
const PASSES = 3

type Sealed = { owner: string; sealed: string }

/** One kind of sealed value: how it is paged, bound (its context) and replaced. */
interface SealedKind {
  name: (owner: string) => string
  context: (owner: string) => string
  page: (after: string | undefined, limit: number) => Promise<Sealed[]>
  replace: (owner: string, was: string, sealed: string) => Promise<boolean>
}

const PAGE = 500

/**
 * Seals every stored secret (Twilio auth tokens, webhook signing secrets) under the current
 * ENCRYPTION_KEY, opening each with it or with ENCRYPTION_KEY_PREVIOUS. A value the service
 * rewrote while this ran is looked at again (it may come from an instance still on the old key);
 * one no known key opens is named.
 */
export async function resealSecrets(cipher: Cipher, stores: Pick<Stores, 'accounts' | 'webhooks'>): Promise<ResealReport> {
  const kinds: SealedKind[] = [
    {
      name: (userId) => `the Twilio auth token of user ${userId}`,
      context: (userId) => userId,
      page: (after, limit) => stores.accounts.sealedTokens(after, limit),
      replace: (userId, was, sealed) => stores.accounts.resealToken(userId, was, sealed),
    },
    {
      name: (id) => `the signing secret of webhook endpoint ${id}`,
      context: secretContext,
      page: (after, limit) => stores.webhooks.sealedSecrets(after, limit),
      replace: (id, was, sealed) => stores.webhooks.resealSecret(id, was, sealed),
    },
  ]
  let resealed = 0
  for (let pass = 1; ; pass++) {
    const report: ResealReport = { resealed: 0, current: 0, changed: 0, unreadable: [] }
    for (const kind of kinds) {
      for (let page = await kind.page(undefined, PAGE); page.length > 0; page = await kind.page(page.at(-1)?.owner, PAGE)) {
        for (const value of page) await reseal(cipher, kind, value, report)
      }
    }
    resealed += report.resealed
    // The last pass counts as current what earlier passes resealed: those are counted once, as resealed.
    if (report.changed === 0 || pass === PASSES) return { ...report, resealed, current: report.current - (resealed - report.resealed) }
  }
}

async function reseal(cipher: Cipher, kind: SealedKind, { owner, sealed }: Sealed, report: ResealReport) {
  const context = kind.context(owner)
  if (cipher.isCurrent(sealed, context)) {
    report.current++
    return
  }
  const plain = cipher.open(sealed, context)
  if (plain === undefined) {
    report.unreadable.push(kind.name(owner))
    return
  }
  if (await kind.replace(owner, sealed, cipher.encrypt(plain, context))) report.resealed++
  else report.changed++
}
