import type { LookupAddress } from 'node:dns'
import { lookup as dnsLookupAll } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { within } from '../clock.js'

/**
 * dns.lookup runs on libuv's thread pool (4 threads), which file, crypto and the database driver's
 * work share: names that resolve slowly (a customer's choice) may take at most LOOKUPS_AT_ONCE of them,
 * and one owner (a user) at most one, so one user's slow names cannot hold every turn.
 */
export const LOOKUPS_AT_ONCE = 2
/** How long a new endpoint's name may take to resolve. */
const LOOKUP_MS = 5_000
let resolving = 0
/** The owners with a lookup running (one each at most). */
const runningFor = new Set<string>()
/** Lookups waiting for a turn, in arrival order. */
const waiting: { owner?: string; go: () => void }[] = []
/** Who asks for a lookup: its owner (a user), and the signal of its caller giving up. */
type Asker = { owner?: string; signal?: AbortSignal }
const mayRun = (owner?: string) => owner === undefined || !runningFor.has(owner)

function hold(owner?: string) {
  resolving++
  if (owner !== undefined) runningFor.add(owner)
}

/** Frees a turn and hands it straight to the first waiting lookup whose owner runs none, so none can slip in between. */
function handOn(owner?: string) {
  resolving--
  if (owner !== undefined) runningFor.delete(owner)
  const next = waiting.findIndex((w) => mayRun(w.owner))
  if (next >= 0) waiting.splice(next, 1)[0]?.go()
}

function takeTurn({ owner, signal }: Asker): Promise<void> {
  signal?.throwIfAborted()
  if (resolving < LOOKUPS_AT_ONCE && mayRun(owner)) {
    hold(owner)
    return Promise.resolve()
  }
  return new Promise((go, fail) => {
    const waiter = {
      owner,
      go: () => {
        signal?.removeEventListener('abort', gaveUp)
        hold(owner)
        go()
      },
    }
    // A caller that gave up leaves the line at once: a lookup nobody waits for is not run.
    const gaveUp = () => {
      waiting.splice(waiting.indexOf(waiter), 1)
      fail(signal?.reason)
    }
    signal?.addEventListener('abort', gaveUp, { once: true })
    waiting.push(waiter)
  })
}

/**
 * Runs a lookup once fewer than LOOKUPS_AT_ONCE are running and none of `owner`'s (in turn). One
 * whose caller gave up while it waited (`signal` aborted) is not run.
 */
export async function throttled<T>(lookup: () => Promise<T>, asker: Asker = {}): Promise<T> {
  await takeTurn(asker)
  try {
    return await lookup()
  } finally {
    handOn(asker.owner)
  }
}

// Addresses a webhook may not reach unless the operator allows it: this host, private networks,
// link-local (cloud metadata), carrier-grade NAT, multicast and reserved ranges.
const PRIVATE = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6')

/** Whether an address is on the public internet (an IPv4-mapped IPv6 address is judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return !PRIVATE.check(mapped[1] as string, 'ipv4')
  const family = isIP(address)
  if (family === 0) return false
  return !PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

export interface TargetRules {
  /** Plain http is accepted (not in production). */
  allowHttp: boolean
  /** Private, loopback and link-local addresses are accepted (the operator's choice; tests). */
  allowPrivate: boolean
}

/** Why a URL may not be a webhook endpoint: a malformed URL, or an unsafe target. */
export interface TargetRefusal {
  code: 'VALIDATION' | 'UNSAFE_URL'
  reason: string
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '')

/** Why a URL may not be a webhook endpoint, or undefined when it may (its address is checked on each connection). */
export function refusalOf(raw: string, rules: TargetRules): TargetRefusal | undefined {
  const invalid = (reason: string): TargetRefusal => ({ code: 'VALIDATION', reason })
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return invalid('is not a URL')
  }
  if (raw.length > 2048) return invalid('is longer than 2048 characters')
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:'))
    return invalid(rules.allowHttp ? 'must be http(s)' : 'must be https')
  if (url.username || url.password) return invalid('must not hold credentials')
  const host = hostOf(url)
  if (isIP(host) && !rules.allowPrivate && !isPublicAddress(host))
    return { code: 'UNSAFE_URL', reason: 'points to a private, loopback or link-local address' }
  if (!rules.allowPrivate && /(^|\.)localhost$/i.test(host)) return { code: 'UNSAFE_URL', reason: 'points to this host' }
  return undefined
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A DNS lookup for outgoing webhook connections that refuses private addresses (unless allowed):
 * checked at connection time, so a name that later resolves elsewhere (DNS rebinding) is caught.
 */
export function guardedLookup(allowPrivate: boolean, asker: Asker = {}) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    const answered = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) return callback(err, [])
      const allowed = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address))
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves to a private, loopback or link-local address`), {
          code: 'EUNSAFEADDRESS',
        })
        return callback(refused, [])
      }
      if (options.all) return callback(null, allowed)
      const [first] = allowed as [LookupAddress]
      callback(null, first.address, first.family)
    }
    throttled(() => dnsLookupAll(hostname, { all: true }), asker).then(
      (addresses) => answered(null, addresses),
      (err: NodeJS.ErrnoException) => answered(err, []),
    )
  }
}

/**
 * Checks a new endpoint URL: its form and literal address (`refusalOf`), then what its name
 * resolves to now (UNSAFE_URL when any address is private and that is not allowed).
 */
export async function endpointRefusal(raw: string, rules: TargetRules, owner?: string): Promise<TargetRefusal | undefined> {
  const refused = refusalOf(raw, rules)
  if (refused || rules.allowPrivate) return refused
  const host = hostOf(new URL(raw))
  if (isIP(host)) return undefined
  // Given up after LOOKUP_MS, also while waiting for a turn: a lookup nobody waits for is not run.
  const giveUp = AbortSignal.timeout(LOOKUP_MS)
  const addresses = await within(
    throttled(() => dnsLookupAll(host, { all: true }), { signal: giveUp, owner }).catch(() => undefined),
    LOOKUP_MS,
  )
  if (!addresses?.length) return { code: 'VALIDATION', reason: `${host} does not resolve (within ${LOOKUP_MS / 1000} s)` }
  if (addresses.some((a) => !isPublicAddress(a.address)))
    return { code: 'UNSAFE_URL', reason: `${host} resolves to a private, loopback or link-local address` }
  return undefined
}
