import { randomBytes } from 'node:crypto'
import { config } from '../../config.js'
import { logger } from '../../logger.js'
import { applyStatus } from '../status.js'
import { twilioClient } from '../twilio.js'
import { TwilioTransport } from './twilio.js'
import type { Accepted, FetchedStatus, OutgoingSms, SmsTransport } from './types.js'

/**
 * Atlas without platform credentials: nothing leaves the machine. Deliveries are marked sandbox
 * and move QUEUED → SENT → DELIVERED after realistic delays, through the same status path as
 * provider callbacks.
 */
export class SandboxTransport implements SmsTransport {
  private timers = new Set<NodeJS.Timeout>()

  async send(sms: OutgoingSms): Promise<Accepted> {
    const sid = `SM${randomBytes(16).toString('hex')}`
    const delay = config.send.sandboxDelayMs
    this.later(delay * (0.25 + Math.random() * 0.1), () => applyStatus(sms.deliveryId, 'SENT', 'SANDBOX'))
    this.later(delay * (0.9 + Math.random() * 0.2), () => applyStatus(sms.deliveryId, 'DELIVERED', 'SANDBOX'))
    return { providerMessageId: sid, status: 'QUEUED', sandbox: true }
  }

  async findExisting(): Promise<Accepted | undefined> {
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
      step().catch((err) => logger.error({ err }, 'sandbox status change failed'))
    }, ms)
    this.timers.add(timer)
  }
}

/** Atlas: the platform's Messaging Service when ATLAS_TWILIO_* are set, else the sandbox. */
export const atlasTransport: SmsTransport & { stop?: () => void } = config.atlas
  ? new TwilioTransport(async () => {
      const atlas = config.atlas as NonNullable<typeof config.atlas>
      return {
        client: twilioClient(atlas.accountSid, atlas.authToken),
        from: { messagingServiceSid: atlas.messagingServiceSid },
        sandbox: false,
      }
    })
  : new SandboxTransport()
