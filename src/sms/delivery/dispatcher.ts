import type { SmsDelivery } from '../../stores/deliveries.js'
import type { TwilioCredentials } from '../providers/types.js'

/** Hands stored deliveries to their provider: in process by default, through BullMQ with Redis. */
export interface Dispatcher {
  /**
   * Dispatches a stored PENDING delivery. Resolves with the row as it stands once the first
   * attempt has ended, or once `waitMs` has passed (the send goes on in the background).
   */
  dispatch(delivery: SmsDelivery, opts: { twilio?: TwilioCredentials; waitMs: number }): Promise<SmsDelivery>
  /** Starts dispatching: picks up deliveries left PENDING (a crash, a lost job) without sending any twice. */
  start(): Promise<number>
  stop(): Promise<void>
  /** Sends waiting or in progress (this instance's, or the shared queue's). */
  depth(): Promise<number>
}
