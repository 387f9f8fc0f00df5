import { DelayedError, type Job, Queue, QueueEvents, Worker } from 'bullmq'
import { type Clock, within } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Logger } from '../../logger.js'
import { closeWithinReach, type RedisConnections } from '../../redis.js'
import type { DeliveriesStore, SmsDelivery } from '../../stores/deliveries.js'
import type { TraceCarrier, Tracing } from '../../telemetry/tracing.js'
import { senderOf } from '../sender.js'
import { Held, type SendAttempts, STOPPED } from './attempts.js'
import type { Dispatcher } from './dispatcher.js'

const QUEUE = 'sms-send'

interface SendJob {
  deliveryId: string
  trace?: TraceCarrier
}
/** A job that fails (the database is down, the instance stops mid-send) goes back to the queue: every 2 s, for over half an hour. */
const JOB_OPTIONS = { removeOnComplete: 1000, removeOnFail: 5000, attempts: 1000, backoff: { type: 'fixed', delay: 2000 } }

/**
 * The dispatcher of several instances: a BullMQ queue in Redis. A job per delivery (jobId = the
 * delivery id, so duplicates merge); a job whose instance died is taken over once its lock expires
 * (stalled-job recovery) and reconciled with the provider before any resend; sends are paced per
 * sending number (SENDER_RATE_PER_SECOND), so bursts wait in the queue instead of failing.
 */
export class BullDispatcher implements Dispatcher {
  private readonly connection: ReturnType<RedisConnections['open']>
  private readonly queue: Queue
  private readonly events: QueueEvents
  private worker?: Worker
  private stopping = false
  private sweep?: NodeJS.Timeout
  /** The sends this instance's worker is running. */
  private readonly inflight = new Set<Promise<unknown>>()

  constructor(
    private readonly deps: {
      attempts: SendAttempts
      deliveries: DeliveriesStore
      redis: RedisConnections
      queue: Config['queue']
      sweep: Config['sweep']
      /** The longest a send can take (its attempt's hold): stopping waits no longer for one in flight. */
      sendMs: number
      clock: Clock
      logger: Logger
      tracing: Tracing
    },
  ) {
    this.connection = deps.redis.open('queue')
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: deps.queue.prefix })
    this.events = new QueueEvents(QUEUE, { connection: deps.redis.open('queue-events'), prefix: deps.queue.prefix })
    // Without a listener BullMQ prints each connection error's stack on stderr, outside the log.
    const lost = (err: Error) => deps.logger.warn({ err: err.message }, 'send queue error')
    this.queue.on('error', lost)
    this.events.on('error', lost)
  }

  /** Starts this instance's worker and the sweep, and queues what was left PENDING. */
  async start(): Promise<number> {
    const { redis, queue: q, logger } = this.deps
    this.worker = new Worker(QUEUE, (job, token) => this.process(job, token), {
      connection: redis.open('worker'),
      prefix: q.prefix,
      concurrency: q.concurrency,
      lockDuration: q.lockMs,
      stalledInterval: q.lockMs,
      maxStalledCount: 10,
    })
    this.worker.on('error', (err) => logger.error({ err: err.message }, 'queue worker error'))
    this.worker.on('failed', (job, err) => logger.error({ deliveryId: job?.id, err: err.message }, 'send job failed'))
    const { intervalMs, afterMs } = this.deps.sweep
    if (intervalMs) {
      this.sweep = setInterval(() => void this.requeue(afterMs).catch(() => undefined), intervalMs)
      this.sweep.unref()
    }
    // Held ones too at start: one a dead instance held is asked about at once, not after its hold.
    return this.requeue(0, false)
  }

  async dispatch(delivery: SmsDelivery, opts: { waitMs: number }): Promise<SmsDelivery> {
    const until = Date.now() + opts.waitMs
    const failed = (err: Error) => this.deps.logger.error({ deliveryId: delivery.id, err: err.message }, 'could not queue a send')
    try {
      // While Redis is unreachable the job waits to be added (it is, once Redis answers); the request does not.
      const adding = this.add(delivery.id)
      adding.catch(failed)
      const job = await within(adding, opts.waitMs)
      if (job)
        await within(
          job.waitUntilFinished(this.events, opts.waitMs).catch(() => undefined),
          until - Date.now(),
        )
      else this.deps.logger.warn({ deliveryId: delivery.id }, 'redis did not take the send in time; it is queued once redis answers')
    } catch {
      // Logged above. The delivery stays PENDING in the database; the periodic sweep queues it once Redis is back.
    }
    return (await this.deps.deliveries.byId(delivery.id).catch(() => undefined)) ?? delivery
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized')
    return Object.values(counts).reduce((a, b) => a + b, 0)
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.sweep)
    // The worker takes no new job; the sends in flight end (they see `stopping`) whether Redis answers or not.
    const closing = Promise.all([this.worker?.close(), this.events.close(), this.queue.close()])
    // A send waiting on a Redis that is gone (its sender's slot) never ends by itself: it fails once the connections close.
    await within(Promise.allSettled([...this.inflight]), this.deps.sendMs)
    await closeWithinReach(closing, this.deps.logger, 'queue')
  }

  /**
   * Queues the PENDING deliveries older than `ageMs` whose job is gone, failed for good or
   * completed (a crash between the insert and the queue, Redis lost and restarted empty, a job
   * that ended early): the finished job is removed first, since it holds the job id.
   */
  private async requeue(ageMs: number, skipHeld = true): Promise<number> {
    const now = this.deps.clock.now()
    const stuck = await this.deps.deliveries.unsentIds(new Date(now.getTime() - ageMs), 1000, skipHeld ? now : undefined)
    let queued = 0
    for (const id of stuck) {
      const job = await this.queue.getJob(id)
      const state = job ? await job.getState() : 'missing'
      if (state !== 'missing' && state !== 'completed' && state !== 'failed' && state !== 'unknown') continue
      if (job) await job.remove().catch(() => undefined)
      await this.add(id)
      queued++
    }
    if (queued) this.deps.logger.info({ queued }, 'queued pending deliveries that had no live job')
    return queued
  }

  /** Queues a send; the job carries the trace context, so the send stays one trace on whichever instance runs it. */
  private add(deliveryId: string) {
    const data: SendJob = { deliveryId, trace: this.deps.tracing.carrier() }
    return this.queue.add('send', data, { jobId: deliveryId, ...JOB_OPTIONS })
  }

  private process(job: Job<SendJob>, token?: string) {
    const attributes = {
      'sms.delivery.id': job.data.deliveryId,
      'messaging.system': 'bullmq',
      'messaging.bullmq.attempt': job.attemptsMade + 1,
    }
    const parent = this.deps.tracing.contextOf(job.data.trace)
    const run = this.deps.tracing.span('sms.dispatch', { parent, attributes }, () => this.send(job, token))
    this.inflight.add(run)
    return run.finally(() => this.inflight.delete(run))
  }

  private async send(job: Job<SendJob>, token?: string) {
    const id = job.data.deliveryId
    const d = await this.deps.deliveries.byId(id)
    if (d?.status !== 'PENDING' || d.providerMessageId) return
    // A number's rate is Twilio's per number; Atlas is a Messaging Service (or a sandbox) that queues its own texts.
    if (d.provider !== 'ATLAS' && !(await this.senderSlot(senderOf(d)))) {
      await job.moveToDelayed(Date.now() + 1000 - (Date.now() % 1000) + Math.floor(Math.random() * 50), token)
      throw new DelayedError()
    }
    // The row just read is the first attempt's: its claim fails if another worker got there first.
    const outcome = await this.deps.attempts.run(id, () => this.stopping, d.attempts === 0 ? { delivery: d } : undefined)
    // Failing the job hands it back to the queue (after its backoff), for another instance or the restart.
    if (outcome === STOPPED) throw new Error('this instance is stopping; the send goes back to the queue')
    // Another attempt holds it (one in flight, or left by an instance that died): run again once that hold ends.
    if (outcome instanceof Held) {
      await job.moveToDelayed(outcome.until.getTime() + 10, token)
      throw new DelayedError()
    }
  }

  /** One send for this sender in the current second, across every instance. */
  private async senderSlot(sender: string): Promise<boolean> {
    const key = `${this.deps.queue.prefix}:rate:${sender}:${Math.floor(Date.now() / 1000)}`
    const [[, count]] = (await this.connection.multi().incr(key).expire(key, 2).exec()) as [[null, number], unknown]
    return count <= this.deps.queue.senderRatePerSecond
  }
}
