import { config } from '../../config.js'
import { STATUS_CALLBACK_PATH } from '../callbacks.js'
import { userTwilioCredentials } from '../credentials.js'
import { twilioClient, twilioErrorOf } from '../twilio.js'
import { statusFromTwilio, TWILIO_SEND_ERRORS } from '../twilioErrors.js'
import { type Accepted, type FetchedStatus, type OutgoingSms, ProviderFailure, type SmsTransport } from './types.js'

/** The URL Twilio posts status callbacks to, under PUBLIC_URL. */
export const statusCallbackUrl = () => `${config.publicUrl}${STATUS_CALLBACK_PATH}`

type Client = ReturnType<typeof twilioClient>
type Sender = { client: Client; from: { from: string } | { messagingServiceSid: string }; sandbox: false }

/** Maps what the SDK threw to a transient (retry) or permanent failure. */
export function classifyTwilioError(e: unknown): ProviderFailure {
  const err = twilioErrorOf(e)
  const known = err.code !== undefined ? TWILIO_SEND_ERRORS[err.code] : undefined
  if (known) return new ProviderFailure('permanent', known.code, known.message, String(err.code))
  if (err.status === undefined || err.status === 429 || err.code === 20429 || err.status >= 500) {
    const message = `Twilio unavailable (${err.status ?? 'no response'}): ${err.message}`
    return new ProviderFailure(
      'transient',
      'PROVIDER_UNAVAILABLE',
      message,
      err.code ? String(err.code) : undefined,
      err.status === undefined,
    )
  }
  return new ProviderFailure(
    'permanent',
    'PROVIDER_ERROR',
    `Twilio refused the message (${err.status}): ${err.message}`,
    err.code ? String(err.code) : undefined,
  )
}

/** Sends through a Twilio account: the user's own (TWILIO) or the platform's (ATLAS). */
export class TwilioTransport implements SmsTransport {
  constructor(private readonly sender: (sms: OutgoingSms) => Promise<Sender>) {}

  async send(sms: OutgoingSms): Promise<Accepted> {
    const { client, from } = await this.sender(sms)
    try {
      const message = await client.messages.create({ to: sms.to, body: sms.body, statusCallback: statusCallbackUrl(), ...from })
      return { providerMessageId: message.sid, status: statusFromTwilio(message.status) ?? 'QUEUED', sandbox: false }
    } catch (e) {
      throw classifyTwilioError(e)
    }
  }

  async findExisting(sms: OutgoingSms): Promise<Accepted | undefined> {
    const { client, from } = await this.sender(sms)
    const since = new Date(sms.createdAt.getTime() - 60_000)
    try {
      const list = await client.messages.list({
        to: sms.to,
        ...('from' in from ? { from: from.from } : {}),
        dateSentAfter: since,
        limit: 50,
      })
      const match = list.find((m) => m.body === sms.body && ('from' in from || m.messagingServiceSid === from.messagingServiceSid))
      return match ? { providerMessageId: match.sid, status: statusFromTwilio(match.status) ?? 'QUEUED', sandbox: false } : undefined
    } catch (e) {
      throw classifyTwilioError(e)
    }
  }

  async fetchStatus(sms: OutgoingSms, providerMessageId: string): Promise<FetchedStatus | undefined> {
    const { client } = await this.sender(sms)
    try {
      const m = await client.messages(providerMessageId).fetch()
      const status = statusFromTwilio(m.status)
      return status ? { status, errorCode: m.errorCode ? String(m.errorCode) : null } : undefined
    } catch (e) {
      throw classifyTwilioError(e)
    }
  }
}

/** The user's own Twilio account, with the action's number. */
export const userTwilio = new TwilioTransport(async (sms) => {
  // Fresh for every send (read by the request itself, or here): a token rotated on another
  // instance must not fail a text, and cleared credentials must stop sends at once.
  const account = sms.twilio ?? (await userTwilioCredentials(sms.userId, true))
  if (!account) throw new ProviderFailure('permanent', 'TWILIO_CREDENTIALS_MISSING', 'No Twilio credentials on the profile')
  const client = twilioClient(account.accountSid, account.token)
  return { client, from: { from: sms.fromNumber as string }, sandbox: false }
})
