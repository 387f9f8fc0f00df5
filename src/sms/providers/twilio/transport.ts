import type { MessageInstance, MessagePage } from 'twilio/lib/rest/api/v2010/account/message.js'
import { type FetchedStatus, type OutgoingSms, ProviderFailure, type ProviderReceipt, type SmsTransport } from '../types.js'
import type { TwilioClient } from './client.js'
import { twilioErrorOf } from './client.js'
import { statusFromTwilio, TWILIO_SEND_ERRORS } from './errors.js'

const LOOKUP_PAGE_SIZE = 50
const LOOKUP_PAGES = 4

/** The account and sender a text goes out through. */
export type Sender = { client: TwilioClient; from: { from: string } | { messagingServiceSid: string } }

/** Maps what the SDK threw to a transient (retry) or permanent failure. */
export function classifyTwilioError(e: unknown): ProviderFailure {
  const err = twilioErrorOf(e)
  const providerCode = err.code !== undefined ? String(err.code) : undefined
  const known = err.code !== undefined ? TWILIO_SEND_ERRORS[err.code] : undefined
  if (known) return new ProviderFailure('permanent', known.code, known.message, providerCode)
  if (err.status === undefined || err.status === 429 || err.code === 20429 || err.status >= 500) {
    const message = `Twilio unavailable (${err.status ?? 'no response'}): ${err.message}`
    // No answer, or a server error (a gateway that timed out, say), may come after Twilio took the
    // message: ask before sending again. A 429, or a 503 (Twilio's "unable to service your
    // request"), says it was not taken.
    const ambiguous = err.status === undefined || (err.status >= 500 && err.status !== 503)
    return new ProviderFailure('transient', 'PROVIDER_UNAVAILABLE', message, providerCode, ambiguous)
  }
  return new ProviderFailure('permanent', 'PROVIDER_ERROR', `Twilio refused the message (${err.status}): ${err.message}`, providerCode)
}

const receipt = (m: { sid: string; status: string }): ProviderReceipt => ({
  providerMessageId: m.sid,
  status: statusFromTwilio(m.status) ?? 'QUEUED',
  sandbox: false,
})

/** Sends through a Twilio account: the user's own (TWILIO) or the platform's (ATLAS). */
export class TwilioTransport implements SmsTransport {
  constructor(
    private readonly sender: (sms: OutgoingSms) => Promise<Sender>,
    private readonly statusCallback: (sms: OutgoingSms) => string,
  ) {}

  async send(sms: OutgoingSms): Promise<ProviderReceipt> {
    const { client, from } = await this.sender(sms)
    try {
      return receipt(await client.messages.create({ to: sms.to, body: sms.body, statusCallback: this.statusCallback(sms), ...from }))
    } catch (e) {
      throw classifyTwilioError(e)
    }
  }

  /**
   * The message this delivery already made, if Twilio holds one: the messages from the same sender
   * to the same number created since shortly before the delivery, with the same body. Not filtered
   * by DateSent: Twilio filters that on the date a message was sent, which a message still
   * accepted, queued or scheduled does not have, so such a lookup would miss exactly the message
   * a resend would duplicate. A text sent twice with the same words (the caller asked again) makes
   * the same message but for its id: one recorded already belongs to the delivery that recorded it.
   */
  async findExisting(sms: OutgoingSms, taken: (providerMessageId: string) => Promise<boolean>): Promise<ProviderReceipt | undefined> {
    const { client, from } = await this.sender(sms)
    const since = sms.createdAt.getTime() - 60_000
    const mine = (m: MessageInstance) => m.body === sms.body && ('from' in from || m.messagingServiceSid === from.messagingServiceSid)
    try {
      let page: MessagePage | undefined = await client.messages.page({
        to: sms.to,
        ...('from' in from ? { from: from.from } : {}),
        pageSize: LOOKUP_PAGE_SIZE,
      })
      for (let n = 0; page && n < LOOKUP_PAGES; n++) {
        const recent = page.instances.filter((m) => !m.dateCreated || m.dateCreated.getTime() >= since)
        for (const match of recent.filter(mine)) if (!(await taken(match.sid))) return receipt(match)
        // Newest first: a page with nothing recent means the rest is older still.
        if (recent.length === 0) return undefined
        page = (await page.nextPage()) as MessagePage | undefined
      }
      return undefined
    } catch (e) {
      throw classifyTwilioError(e)
    }
  }

  async fetchStatus(sms: OutgoingSms, providerMessageId: string): Promise<FetchedStatus | undefined> {
    const { client } = await this.sender(sms)
    try {
      const m = await client.messages(providerMessageId).fetch()
      const status = statusFromTwilio(m.status)
      return status && { status, errorCode: m.errorCode ? String(m.errorCode) : null }
    } catch (e) {
      throw classifyTwilioError(e)
    }
  }
}
