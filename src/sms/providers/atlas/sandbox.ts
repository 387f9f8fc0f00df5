import { randomBytes } from 'node:crypto'
import type { Logger } from '../../../logger.js'
import type { FetchedStatus, OutgoingSms, ProviderReceipt, SmsTransport, StatusReport } from '../types.js'

/**
 * Atlas without platform credentials: nothing leaves the machine. Deliveries are marked sandbox
 * and move QUEUED → SENT → DELIVERED after realistic delays, reported like provider callbacks.
 */
export class SandboxTransport implements SmsTransport {
  private timers = new Set<NodeJS.Timeout>()

  constructor(
    private readonly delayMs: number,
    private readonly report: StatusReport,
    private readonly logger: Logger,
  ) {}

  async send(sms: OutgoingSms): Promise<ProviderReceipt> {
    const sid = `SM${randomBytes(16).toString('hex')}`
    // Each report names the message, as a Twilio callback does: it may land before the dispatcher records the id.
    const message = { providerMessageId: sid, sandbox: true }
    this.later(this.delayMs * (0.25 + Math.random() * 0.1), () => this.report(sms.deliveryId, 'SENT', message))
    this.later(this.delayMs * (0.9 + Math.random() * 0.2), () => this.report(sms.deliveryId, 'DELIVERED', message))
    return { providerMessageId: sid, status: 'QUEUED', sandbox: true }
  }

  async findExisting(): Promise<ProviderReceipt | undefined> {
    return undefined
  }

  /** A sandbox message whose simulated steps were lost (a restart) completes as delivered. */
  async fetchStatus(): Promise<FetchedStatus> {
    return { status: 'DELIVERED', errorCode: null }
  }

  /** Cancels pending simulated status changes (shutdown). */
  stop() {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  private later(ms: number, step: () => Promise<unknown>) {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      step().catch((err) => this.logger.error({ err }, 'sandbox status change failed'))
    }, ms)
    this.timers.add(timer)
  }
}
