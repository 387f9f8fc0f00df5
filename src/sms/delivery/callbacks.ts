import type { Config } from '../../config.js'
import type { Logger } from '../../logger.js'
import type { DeliveriesStore } from '../../stores/deliveries.js'
import { parseStatusCallback, STATUS_CALLBACK_PATH, signedBy } from '../providers/twilio/callback.js'
import type { TwilioCredentialStore } from '../providers/twilio/credentials.js'
import type { DeliveryStatusWriter } from './status.js'

/** A status callback as it arrived: its form parameters, query string and signature. */
export interface IncomingCallback {
  params: Record<string, string>
  query: string
  signature: string
  requestId: string
}

/**
 * Applies Twilio status callbacks. The signature is checked with the auth token of the account
 * that sent the message, against the URL under PUBLIC_URL (never the request's Host header, which
 * proxies and tunnels rewrite). Returns the HTTP status to answer.
 */
export class StatusCallbacks {
  constructor(
    private readonly deps: {
      deliveries: DeliveriesStore
      status: DeliveryStatusWriter
      credentials: TwilioCredentialStore
      config: Pick<Config, 'publicUrl' | 'atlas'>
      logger: Logger
    },
  ) {}

  async apply({ params, query, signature, requestId }: IncomingCallback): Promise<number> {
    const { deliveries, status, credentials, config, logger } = this.deps
    const callback = parseStatusCallback(params)
    if (!callback) return 400
    const delivery = await deliveries.byProviderMessageId(callback.sid)
    if (!delivery) {
      logger.info({ requestId, sid: callback.sid }, 'status callback for an unknown message acknowledged')
      return 200
    }
    const url = `${config.publicUrl}${STATUS_CALLBACK_PATH}${query}`
    const atlas = config.atlas && { accountSid: config.atlas.accountSid, token: config.atlas.authToken }
    const verify = async (fresh: boolean) => {
      const account = delivery.provider === 'ATLAS' ? atlas : await credentials.of(delivery.userId, fresh)
      return Boolean(account && signedBy(account, signature, url, params))
    }
    // Remembered credentials may predate a rotation: re-read them before refusing.
    if (!(await verify(false)) && (delivery.provider === 'ATLAS' || !(await verify(true)))) {
      logger.warn({ requestId, sid: callback.sid, deliveryId: delivery.id }, 'status callback refused: signature does not verify')
      return 403
    }
    if (!callback.status) return 200
    const failed = callback.status === 'UNDELIVERED' || callback.status === 'FAILED'
    const error = failed || callback.errorCode ? { errorCode: callback.errorCode ?? null, errorMessage: callback.errorMessage ?? null } : {}
    await status.move(delivery.id, callback.status, 'PROVIDER_CALLBACK', error)
    return 200
  }
}
