import twilio from 'twilio'
import type { RequestOptions } from 'twilio/lib/base/RequestClient.js'
import { config } from '../config.js'
import { sha256 } from '../crypto.js'

const DEFAULT_BASE = 'https://api.twilio.com'

/** Sends the SDK's api.twilio.com requests to TWILIO_API_BASE_URL (tests, proxies, gateways). */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL,
    opts: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(opts)
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const uri = new URL(opts.uri)
    if (uri.hostname.endsWith('twilio.com')) {
      const path = uri.pathname
      uri.protocol = this.base.protocol
      uri.host = this.base.host
      uri.pathname = this.base.pathname.replace(/\/$/, '') + path
    }
    return super.request({ ...opts, uri: uri.href })
  }
}

const clients = new Map<string, ReturnType<typeof twilio>>()
const MAX_CLIENTS = 500

/**
 * A Twilio SDK client for one account, honouring TWILIO_API_BASE_URL and our timeout. Clients are
 * kept (a few hundred at most) so sends reuse their keep-alive connections instead of opening one each.
 */
export function twilioClient(accountSid: string, authToken: string) {
  const key = `${accountSid}:${sha256(authToken)}`
  const cached = clients.get(key)
  if (cached) return cached
  const opts = { timeout: config.twilioTimeoutMs, keepAlive: true, autoRetry: false }
  const httpClient =
    config.twilioApiBaseUrl === DEFAULT_BASE
      ? new twilio.RequestClient(opts)
      : new BaseUrlRequestClient(new URL(config.twilioApiBaseUrl), opts)
  const client = twilio(accountSid, authToken, { httpClient })
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string)
  clients.set(key, client)
  return client
}

/** The Twilio error fields we act on, whatever shape the SDK threw. */
export function twilioErrorOf(e: unknown): { status?: number; code?: number; message: string } {
  const err = e as { status?: number; code?: number | string; message?: string }
  const code = typeof err.code === 'number' ? err.code : undefined
  return { status: typeof err.status === 'number' ? err.status : undefined, code, message: err.message ?? String(e) }
}

export type CredentialCheck = { ok: true; friendlyName: string } | { ok: false; reason: 'invalid' | 'unavailable'; detail: string }

/** Fetches the account with the given credentials: the check Twilio itself offers for a token. */
export async function verifyTwilioCredentials(accountSid: string, authToken: string): Promise<CredentialCheck> {
  try {
    const account = await twilioClient(accountSid, authToken).api.v2010.accounts(accountSid).fetch()
    if (account.status && account.status !== 'active') {
      return { ok: false, reason: 'invalid', detail: `the Twilio account is ${account.status}` }
    }
    return { ok: true, friendlyName: account.friendlyName }
  } catch (e) {
    const err = twilioErrorOf(e)
    if (err.status === 401 || err.status === 403 || err.status === 404 || err.code === 20003 || err.code === 20404) {
      return { ok: false, reason: 'invalid', detail: 'Twilio rejected the Account SID and Auth Token' }
    }
    return { ok: false, reason: 'unavailable', detail: `Twilio could not be reached (${err.status ?? 'no response'})` }
  }
}

export type NumberCheck = { ok: true } | { ok: false; reason: 'not_owned' | 'no_sms' | 'invalid' | 'unavailable'; detail: string }

/** Checks that the account owns `phoneNumber` and that the number can send SMS. */
export async function checkTwilioFromNumber(accountSid: string, authToken: string, phoneNumber: string): Promise<NumberCheck> {
  try {
    const numbers = await twilioClient(accountSid, authToken).incomingPhoneNumbers.list({ phoneNumber, limit: 20 })
    const match = numbers.find((n) => n.phoneNumber === phoneNumber)
    if (!match) return { ok: false, reason: 'not_owned', detail: `${phoneNumber} is not a number of this Twilio account` }
    if (!match.capabilities?.sms) return { ok: false, reason: 'no_sms', detail: `${phoneNumber} cannot send SMS` }
    return { ok: true }
  } catch (e) {
    const err = twilioErrorOf(e)
    if (err.status === 401 || err.code === 20003) {
      return { ok: false, reason: 'invalid', detail: 'Twilio rejected the stored credentials' }
    }
    return { ok: false, reason: 'unavailable', detail: `Twilio could not be reached (${err.status ?? 'no response'})` }
  }
}
