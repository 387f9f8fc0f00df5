import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { AccountsStore } from '../stores/accounts.js'
import type { PubSub } from './pubsub.js'

/** How far back each look reaches past the last one: another process's clock may run a little behind. */
const OVERLAP_MS = 2_000

/**
 * Keys revoked by another process that has no way to tell this one (the CLI, without Redis), or
 * whose Redis message this instance missed (its subscriber connection was down): looked for in
 * the database every `everyMs` and published to this instance's own listeners as if revoked here,
 * so their open subscriptions and sockets end. Ending a key twice changes nothing.
 */
export class RevocationPoll {
  private timer?: NodeJS.Timeout
  private since: Date

  constructor(
    private readonly deps: {
      accounts: Pick<AccountsStore, 'revokedSince'>
      pubsub: PubSub
      clock: Clock
      logger: Logger
      everyMs: number
    },
  ) {
    this.since = deps.clock.now()
  }

  /** Publishes the keys revoked since the last look; how many. */
  async once(): Promise<number> {
    const now = this.deps.clock.now()
    const revoked = await this.deps.accounts.revokedSince(new Date(this.since.getTime() - OVERLAP_MS))
    this.since = now
    for (const keyId of revoked) this.deps.pubsub.publishHere('apiKey:revoked', { keyId })
    return revoked.length
  }

  start(): void {
    if (!this.deps.everyMs) return
    this.timer = setInterval(() => {
      this.once().catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'could not look for revoked keys'))
    }, this.deps.everyMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
