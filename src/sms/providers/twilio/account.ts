import type { TwilioClients } from './client.js'
import { twilioErrorOf } from './client.js'

export type CredentialCheck = { ok: true; friendlyName: string } | { ok: false; reason: 'invalid' | 'unavailable'; detail: string }
export type NumberCheck = { ok: true } | { ok: false; reason: 'not_owned' | 'no_sms' | 'invalid' | 'unavailable'; detail: string }

const unavailable = (status: number | undefined) => `Twilio could not be reached (${status ?? 'no response'})`

/** Checks of a user's Twilio account: its credentials, and the numbers it may send from. */
export class TwilioAccountChecks {
  constructor(private readonly clients: TwilioClients) {}

  /** Fetches the account with the given credentials: the check Twilio itself offers for a token. */
  async verifyCredentials(accountSid: string, authToken: string): Promise<CredentialCheck> {
    try {
      const account = await this.clients.for(accountSid, authToken).api.v2010.accounts(accountSid).fetch()
      if (account.status && account.status !== 'active') {
        return { ok: false, reason: 'invalid', detail: `the Twilio account is ${account.status}` }
      }
      return { ok: true, friendlyName: account.friendlyName }
    } catch (e) {
      const err = twilioErrorOf(e)
      if (err.status === 401 || err.status === 403 || err.status === 404 || err.code === 20003 || err.code === 20404) {
        return { ok: false, reason: 'invalid', detail: 'Twilio rejected the Account SID and Auth Token' }
      }
      return { ok: false, reason: 'unavailable', detail: unavailable(err.status) }
    }
  }

  /** Checks that the account owns `phoneNumber` and that the number can send SMS. */
  async checkFromNumber(accountSid: string, authToken: string, phoneNumber: string): Promise<NumberCheck> {
    try {
      const numbers = await this.clients.for(accountSid, authToken).incomingPhoneNumbers.list({ phoneNumber, limit: 20 })
      const match = numbers.find((n) => n.phoneNumber === phoneNumber)
      if (!match) return { ok: false, reason: 'not_owned', detail: `${phoneNumber} is not a number of this Twilio account` }
      if (!match.capabilities?.sms) return { ok: false, reason: 'no_sms', detail: `${phoneNumber} cannot send SMS` }
      return { ok: true }
    } catch (e) {
      const err = twilioErrorOf(e)
      if (err.status === 401 || err.code === 20003)
        return { ok: false, reason: 'invalid', detail: 'Twilio rejected the stored credentials' }
      return { ok: false, reason: 'unavailable', detail: unavailable(err.status) }
    }
  }
}
