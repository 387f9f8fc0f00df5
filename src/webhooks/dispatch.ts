import { DelayedError, type Job, Queue, Worker } from 'bullmq'
import { type Clock, within } from '../clock.js'
import type { Logger } from '../logger.js'
import { closeWithinReach, REDIS_CLOSE_MS, type RedisConnections } from '../redis.js'
import type { AttemptOutcome, WebhooksStore } from '../stores/webhooks.js'
import type { WebhookAttempts } from './attempts.js'

const BATCH = 200

/** Hands due outbox messages to posting: in process by default, through BullMQ with Redis. */
export interface WebhookDispatch {
  start(): void
  /** A status change queued messages: look for due ones now instead of at the next poll. */
  poke(): void
  stop(): Promise<void>
}

interface Due {
  id: string
  endpointId: string
  userId: string
  attempts: number
}

/** Whose slots a post takes: its endpoint's, and its user's (one user's slow endpoints never hold every slot). */
type Holder = Pick<Due, 'endpointId' | 'userId'>

export interface DispatchDeps {
  webhooks: WebhooksStore
  attempts: WebhookAttempts
  clock: Clock
  logger: Logger
  /** How often the outbox is read for due messages (retries come due between pokes). */
  pollMs: number
  /** POSTs in flight in this instance, in all, per endpoint and per user (a slow endpoint holds only its share). */
  concurrency: number
  perEndpoint: number
  perUser: number
}

/** Reads the outbox for due messages, on a timer and when poked; one read at a time. */
abstract class OutboxReader implements WebhookDispatch {
  private timer?: NodeJS.Timeout
  private readonly retries = new Set<NodeJS.Timeout>()
  private reading?: Promise<void>
  private again = false
  protected stopping = false

  private readonly held = { endpoint: new Map<string, number>(), user: new Map<string, number>() }

  constructor(protected readonly deps: DispatchDeps) {}

  /** Takes one of the endpoint's slots and one of its user's, or answers false when either is all taken. */
  protected hold({ endpointId, userId }: Holder): boolean {
    const [byEndpoint, byUser] = [this.held.endpoint.get(endpointId) ?? 0, this.held.user.get(userId) ?? 0]
    if (byEndpoint >= this.deps.perEndpoint || byUser >= this.deps.perUser) return false
    this.held.endpoint.set(endpointId, byEndpoint + 1)
    this.held.user.set(userId, byUser + 1)
    return true
  }

  /**
   * One attempt at a message; an error is logged, not thrown: the message stays due and a later
   * read hands it over again (for BullMQ, a failed job would keep its id, and when the claim itself
   * failed the message's next job has that same id and would be ignored).
   */
  protected async attemptOnce(messageId: string) {
    try {
      this.after(await this.deps.attempts.attempt(messageId))
    } catch (err) {
      this.deps.logger.error({ err, webhookMessageId: messageId }, 'webhook attempt failed; it is retried once its hold ends')
    }
  }

  protected release({ endpointId, userId }: Holder) {
    for (const [map, key] of [
      [this.held.endpoint, endpointId],
      [this.held.user, userId],
    ] as const) {
      const left = (map.get(key) ?? 1) - 1
      if (left) map.set(key, left)
      else map.delete(key)
    }
  }

  start() {
    this.timer = setInterval(() => this.poke(), this.deps.pollMs)
    this.timer.unref()
    this.poke()
  }

  poke() {
    if (this.stopping) return
    if (this.reading) {
      this.again = true
      return
    }
    this.reading = this.read()
      .catch((err) => this.deps.logger.error({ err }, 'reading the webhook outbox failed; the next poll tries again'))
      .finally(() => {
        this.reading = undefined
        if (this.again) {
          this.again = false
          this.poke()
        }
      })
  }

  async stop() {
    this.stopping = true
    clearInterval(this.timer)
    for (const t of this.retries) clearTimeout(t)
    // A read handing messages to BullMQ waits on Redis: not past REDIS_CLOSE_MS (the outbox keeps them due).
    await within(this.reading ?? Promise.resolve(), REDIS_CLOSE_MS)
  }

  /** Reads again when a retry this instance scheduled comes due, instead of waiting for the poll. */
  protected after(outcome: AttemptOutcome | undefined) {
    if (outcome?.next !== 'RETRY' || this.stopping) return
    const timer = setTimeout(
      () => {
        this.retries.delete(timer)
        this.poke()
      },
      // Timers may fire a millisecond early; the row must be due when it is read.
      Math.max(0, outcome.retryAt.getTime() - this.deps.clock.now().getTime()) + 10,
    )
    timer.unref()
    this.retries.add(timer)
  }

  private async read() {
    const due = await this.deps.webhooks.due(this.deps.clock.now(), BATCH, { endpoint: this.deps.perEndpoint, user: this.deps.perUser })
    if (due.length) await this.handOver(due)
  }

  protected abstract handOver(due: Due[]): Promise<void>
}

/** Posts in this process, within the concurrency limits; what does not fit waits for the next read. */
export class InProcessWebhooks extends OutboxReader {
  private readonly inflight = new Map<string, Promise<void>>()

  /** Due messages were left for later: read again as soon as a slot frees up. */
  private backlog = false

  protected async handOver(due: Due[]) {
    this.backlog = due.length === BATCH
    for (const m of due) {
      if (this.inflight.has(m.id)) continue
      if (this.inflight.size >= this.deps.concurrency || !this.hold(m)) {
        this.backlog = true
        continue
      }
      const run = this.attemptOnce(m.id).finally(() => {
        this.inflight.delete(m.id)
        this.release(m)
        if (this.backlog) this.poke()
      })
      this.inflight.set(m.id, run)
    }
  }

  override async stop() {
    await super.stop()
    await Promise.allSettled([...this.inflight.values()])
  }
}

const QUEUE = 'webhooks'

/**
 * The webhook dispatch of several instances: every instance reads the outbox and queues what is
 * due as BullMQ jobs (one job id per message attempt, so the instances' reads merge); any
 * instance's worker posts it. The database claim keeps each attempt to one instance.
 */
export class BullWebhooks extends OutboxReader {
  private readonly queue: Queue
  private worker?: Worker

  constructor(
    deps: DispatchDeps,
    private readonly redis: { connections: RedisConnections; prefix: string },
  ) {
    super(deps)
    this.queue = new Queue(QUEUE, { connection: redis.connections.open('webhooks'), prefix: redis.prefix })
    this.queue.on('error', (err) => this.deps.logger.warn({ err: err.message }, 'webhook queue error'))
  }

  override start() {
    this.worker = new Worker(QUEUE, (job, token) => this.process(job, token), {
      connection: this.redis.connections.open('webhooks-worker'),
      prefix: this.redis.prefix,
      concurrency: this.deps.concurrency,
    })
    this.worker.on('error', (err) => this.deps.logger.error({ err: err.message }, 'webhook worker error'))
    super.start()
  }

  protected async handOver(due: Due[]) {
    await this.queue.addBulk(
      due.map((m) => ({
        name: 'post',
        data: { id: m.id, endpointId: m.endpointId, userId: m.userId },
        opts: { jobId: `${m.id}-${m.attempts}`, removeOnComplete: true, removeOnFail: 1000 },
      })),
    )
  }

  private async process(job: Job<{ id: string; endpointId: string; userId?: string }>, token?: string) {
    const { id, endpointId } = job.data
    // A job queued before jobs named their user counts against its endpoint alone.
    const holder = { endpointId, userId: job.data.userId ?? `endpoint:${endpointId}` }
    if (!this.hold(holder)) {
      await job.moveToDelayed(Date.now() + 250, token)
      throw new DelayedError()
    }
    try {
      await this.attemptOnce(id)
    } finally {
      this.release(holder)
    }
  }

  override async stop() {
    await super.stop()
    await closeWithinReach(Promise.all([this.worker?.close(), this.queue.close()]), this.deps.logger, 'webhook queue')
  }
}
