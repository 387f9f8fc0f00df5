import type { Config } from '../../config.js'
import type { SmsProvider } from '../../generated/prisma/enums.js'
import type { Logger } from '../../logger.js'
import { SandboxTransport } from './atlas/sandbox.js'
import { statusCallbackUrl } from './twilio/callback.js'
import type { TwilioClients } from './twilio/client.js'
import type { TwilioCredentialStore } from './twilio/credentials.js'
import { TwilioTransport } from './twilio/transport.js'
import { type OutgoingSms, ProviderFailure, type SmsTransport, type StatusReport } from './types.js'

export interface Providers {
  transportFor(provider: SmsProvider): SmsTransport
  /** Whether texts of this provider stay in the sandbox (nothing leaves the machine). */
  sandboxed(provider: SmsProvider): boolean
  /** Stops background work (the sandbox's simulated status changes). */
  stop(): void
}

/**
 * The transports: TWILIO through the user's own account and the action's number; ATLAS through
 * the platform's Messaging Service when ATLAS_TWILIO_* are set, else the sandbox.
 */
export function createProviders(deps: {
  config: Pick<Config, 'publicUrl' | 'atlas' | 'send'>
  clients: TwilioClients
  credentials: TwilioCredentialStore
  report: StatusReport
  logger: Logger
}): Providers {
  const callback = (sms: OutgoingSms) => statusCallbackUrl(deps.config.publicUrl, sms.deliveryId)
  const twilio = new TwilioTransport(async (sms) => {
    // Fresh for every send (read by the request itself, or here): a token rotated on another
    // instance must not fail a text, and cleared credentials must stop sends at once.
    const account = sms.twilio ?? (await deps.credentials.of(sms.userId, true))
    if (!account) throw new ProviderFailure('permanent', 'TWILIO_CREDENTIALS_MISSING', 'No Twilio credentials on the profile')
    return { client: deps.clients.for(account.accountSid, account.token), from: { from: sms.fromNumber as string } }
  }, callback)
  const platform = deps.config.atlas
  const atlas: SmsTransport = platform
    ? new TwilioTransport(
        async () => ({
          client: deps.clients.for(platform.accountSid, platform.authToken),
          from: { messagingServiceSid: platform.messagingServiceSid },
        }),
        callback,
      )
    : new SandboxTransport(deps.config.send.sandboxDelayMs, deps.report, deps.logger)
  return {
    transportFor: (provider) => (provider === 'TWILIO' ? twilio : atlas),
    sandboxed: (provider) => provider === 'ATLAS' && !platform,
    stop: () => atlas.stop?.(),
  }
}
