import { decryptSecret } from '../crypto.js'
import { db } from '../db.js'
import { ProviderError, ValidationError } from '../errors.js'
import type { SmsProvider } from '../generated/prisma/enums.js'
import { parseProviders } from '../providers.js'
import { checkTwilioFromNumber } from './twilio.js'

export interface ActionConfig {
  provider?: SmsProvider | null
  fromNumber?: string | null
}

/** Picks the provider for an action: the requested one if enabled, else the only enabled one. */
export function chooseProvider(enabled: SmsProvider[], requested: SmsProvider | null | undefined): SmsProvider {
  if (requested) {
    if (!enabled.includes(requested)) throw new ProviderError('PROVIDER_NOT_ENABLED', `${requested} is not enabled for this account`)
    return requested
  }
  const [only, ...others] = enabled
  if (!only) throw new ProviderError('PROVIDER_NOT_ENABLED', 'No SMS provider is enabled for this account')
  if (others.length > 0) throw new ValidationError('provider is required when several providers are enabled', 'input.provider')
  return only
}

/**
 * Checks an action's provider settings for a user and returns them resolved. The Twilio number is
 * looked up at Twilio only when `checkNumber` is set (creation, or a change of provider or number).
 */
export async function resolveProviderSettings(
  userId: string,
  cfg: ActionConfig,
  checkNumber: boolean,
): Promise<{ provider: SmsProvider; fromNumber: string | null }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { twilio: true } })
  const provider = chooseProvider(parseProviders(user.enabledProviders), cfg.provider)
  if (provider === 'ATLAS') {
    if (cfg.fromNumber) throw new ValidationError('fromNumber applies to TWILIO actions only', 'input.fromNumber')
    return { provider, fromNumber: null }
  }
  if (!user.twilio) {
    throw new ProviderError(
      'TWILIO_CREDENTIALS_MISSING',
      'Set your Twilio credentials (setTwilioCredentials) before creating a Twilio action',
    )
  }
  if (!cfg.fromNumber) throw new ValidationError('fromNumber is required for TWILIO actions', 'input.fromNumber')
  if (checkNumber) {
    const token = decryptSecret(user.twilio.authTokenEnc, userId)
    const check = await checkTwilioFromNumber(user.twilio.accountSid, token, cfg.fromNumber)
    if (!check.ok) {
      const code =
        check.reason === 'invalid'
          ? 'TWILIO_CREDENTIALS_INVALID'
          : check.reason === 'unavailable'
            ? 'PROVIDER_UNAVAILABLE'
            : 'FROM_NUMBER_NOT_OWNED'
      throw new ProviderError(code, check.detail)
    }
  }
  return { provider, fromNumber: cfg.fromNumber }
}
