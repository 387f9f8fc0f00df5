import { ProviderError, ValidationError } from '../errors.js'
import type { SmsProvider } from '../generated/prisma/enums.js'
import type { AccountsStore } from '../stores/accounts.js'
import type { TwilioAccountChecks } from './providers/twilio/account.js'
import { type TwilioCredentialStore, UNREADABLE_CREDENTIALS } from './providers/twilio/credentials.js'

export interface ProviderSettings {
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

const NUMBER_REFUSALS = { invalid: 'TWILIO_CREDENTIALS_INVALID', unavailable: 'PROVIDER_UNAVAILABLE' } as const

/** Checks an action's provider settings against the user's account. */
export class ActionSettingsCheck {
  constructor(private readonly deps: { accounts: AccountsStore; credentials: TwilioCredentialStore; checks: TwilioAccountChecks }) {}

  /**
   * The action's provider and number, resolved; a refusal when they do not fit the account. The
   * Twilio number is looked up at Twilio only when `checkNumber` is set (creation, or a change of
   * provider or number).
   */
  async resolve(
    userId: string,
    cfg: ProviderSettings,
    checkNumber: boolean,
  ): Promise<{ provider: SmsProvider; fromNumber: string | null }> {
    const setup = await this.deps.accounts.providerSetup(userId)
    const provider = chooseProvider(setup.enabledProviders, cfg.provider)
    if (provider === 'ATLAS') {
      if (cfg.fromNumber) throw new ValidationError('fromNumber applies to TWILIO actions only', 'input.fromNumber')
      return { provider, fromNumber: null }
    }
    if (!setup.twilio) {
      throw new ProviderError(
        'TWILIO_CREDENTIALS_MISSING',
        'Set your Twilio credentials (setTwilioCredentials) before creating a Twilio action',
      )
    }
    if (!cfg.fromNumber) throw new ValidationError('fromNumber is required for TWILIO actions', 'input.fromNumber')
    if (checkNumber) {
      const opened = this.deps.credentials.decrypted(userId, setup.twilio)
      if (!opened) throw new ProviderError('TWILIO_CREDENTIALS_INVALID', UNREADABLE_CREDENTIALS)
      const { accountSid, token } = opened
      const check = await this.deps.checks.checkFromNumber(accountSid, token, cfg.fromNumber)
      if (!check.ok) {
        const code = check.reason === 'invalid' || check.reason === 'unavailable' ? NUMBER_REFUSALS[check.reason] : 'FROM_NUMBER_NOT_OWNED'
        throw new ProviderError(code, check.detail)
      }
    }
    return { provider, fromNumber: cfg.fromNumber }
  }
}
