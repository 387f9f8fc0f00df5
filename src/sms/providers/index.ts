import type { SmsProvider } from '../../generated/prisma/enums.js'
import { atlasTransport } from './atlas.js'
import { userTwilio } from './twilio.js'
import type { SmsTransport } from './types.js'

export * from './types.js'

/** The transport of a provider. */
export function transportFor(provider: SmsProvider): SmsTransport {
  return provider === 'TWILIO' ? userTwilio : atlasTransport
}

/** Stops provider background work (the sandbox's simulated status changes). */
export function stopTransports() {
  atlasTransport.stop?.()
}
