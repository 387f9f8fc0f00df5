import { setImmediate as yieldToEvents } from 'node:timers/promises'
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { WebhooksStore } from '../stores/webhooks.js'

const EVERY_MS = 3_600_000
const BATCH = 500

/**
 * Deletes webhook messages (with their attempts) once they have been finished for the retention
 * period: the outbox would otherwise grow with every status change for good. In short batches,
 * so no statement holds the database for long.
 */
export class WebhookRetention {
  private timer?: NodeJS.Timeout
  private running: Promise<unknown> = Promise.resolve()
  private stopping = false

  constructor(private readonly deps: { webhooks: WebhooksStore; clock: Clock; logger: Logger; retentionMs: number }) {}

  /** Deletes every message finished more than the retention period ago; answers how many. */
  async once(): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - this.deps.retentionMs)
    let deleted = 0
    for (let batch = BATCH; batch === BATCH && !this.stopping; deleted += batch) {
      batch = await this.deps.webhooks.pruneFinished(before, BATCH)
      await yieldToEvents()
    }
    if (deleted) this.deps.logger.info({ deleted, before }, 'deleted finished webhook messages past their retention')
    return deleted
  }

  /** Runs at start, then hourly. */
  start(): void {
    const run = () => {
      this.running = this.running.then(() => this.once()).catch((err) => this.deps.logger.error({ err }, 'webhook retention failed'))
    }
    run()
    this.timer = setInterval(run, EVERY_MS)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.timer)
    await this.running
  }
}
