import { DelayedError, type Job, Queue, QueueEvents, Worker } from 'bullmq'
import { config } from '../config.js'
import { db } from '../db.js'
import { logger } from '../logger.js'
import { redisConnection } from '../redis.js'
import { type Dispatcher, dispatchOnce, reconcileAttempted } from './dispatcher.js'
import { loadDelivery } from './status.js'

const QUEUE = 'sms-send'

/**
 * The dispatcher of several instances: a BullMQ queue in Redis. A job per delivery (jobId = the
 * delivery id, so duplicates merge); a job whose instance died is taken over once its lock expires
 * (stalled-job recovery) and reconciled with the provider before any resend; sends are paced per
 * sender (SENDER_RATE_PER_SECOND), so bursts wait in the queue instead of failing.
 */
export class BullDispatcher implements Dispatcher {
  private readonly connection = redisConnection('queue')
  private readonly queue = new Queue(QUEUE, { connection: this.connection, prefix: config.queue.prefix })
  private readonly events = new QueueEvents(QUEUE, { connection: redisConnection('queue-events'), prefix: config.queue.prefix })
  private readonly worker: Worker
  private stopping = false
  private sweep?: NodeJS.Timeout

  constructor() {
    this.worker = new Worker(QUEUE, (job, token) => this.process(job, token), {
      connection: redisConnection('worker'),
      prefix: config.queue.prefix,
      concurrency: config.queue.concurrency,
      lockDuration: config.queue.lockMs,
      stalledInterval: config.queue.lockMs,
      maxStalledCount: 10,
    })
    this.worker.on('error', (err) => logger.error({ err: err.message }, 'queue worker error'))
    this.worker.on('failed', (job, err) => logger.error({ deliveryId: job?.id, err: err.message }, 'send job failed'))
    this.sweep = setInterval(() => void this.resume(30_000).catch(() => undefined), 15_000)
    this.sweep.unref()
  }

  async enqueue(deliveryId: string): Promise<undefined> {
    try {
      const job = await this.queue.add('send', { deliveryId }, { jobId: deliveryId, removeOnComplete: 1000, removeOnFail: 5000 })
      await job.waitUntilFinished(this.events, config.send.waitMs + 1000).catch(() => undefined)
    } catch (err) {
      // The delivery stays PENDING in the database; the periodic sweep queues it once Redis is back.
      logger.error({ deliveryId, err: (err as Error).message }, 'could not queue a send')
    }
    return undefined
  }

  /** Queues the PENDING deliveries that have no job (a crash between the insert and the queue). */
  async resume(olderThanMs = 0): Promise<number> {
    const stuck = await db.smsDelivery.findMany({
      where: { status: 'PENDING', providerMessageId: null, createdAt: { lte: new Date(Date.now() - olderThanMs) } },
      select: { id: true },
      take: 1000,
    })
    await Promise.all(
      stuck.map(({ id }) => this.queue.add('send', { deliveryId: id }, { jobId: id, removeOnComplete: 1000, removeOnFail: 5000 })),
    )
    return stuck.length
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.sweep)
    await this.worker.close()
    await this.events.close()
    await this.queue.close()
  }

  private async process(job: Job<{ deliveryId: string }>, token?: string) {
    const id = job.data.deliveryId
    const d = await loadDelivery(id)
    if (d?.status !== 'PENDING' || d.providerMessageId) return
    if (!(await this.senderSlot(d.fromNumber ?? 'ATLAS'))) {
      await job.moveToDelayed(Date.now() + 1000 - (Date.now() % 1000) + Math.floor(Math.random() * 50), token)
      throw new DelayedError()
    }
    if (d.attempts > 0) {
      if (await reconcileAttempted(id)) return
      await dispatchOnce(id, () => this.stopping)
      return
    }
    // The row just read is the first attempt's: its claim fails if another worker got there first.
    await dispatchOnce(id, () => this.stopping, { delivery: d })
  }

  /** One send for this sender in the current second, across every instance. */
  private async senderSlot(sender: string): Promise<boolean> {
    const key = `${config.queue.prefix}:rate:${sender}:${Math.floor(Date.now() / 1000)}`
    const [[, count]] = (await this.connection.multi().incr(key).expire(key, 2).exec()) as [[null, number], unknown]
    return count <= config.queue.senderRatePerSecond
  }
}
