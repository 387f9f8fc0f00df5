import twilio from 'twilio'
import type { RequestOptions } from 'twilio/lib/base/RequestClient.js'
import { sha256 } from '../../../crypto.js'

const DEFAULT_BASE = 'https://api.twilio.com'
const MAX_CLIENTS = 500

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

export type TwilioClient = ReturnType<typeof twilio>

/**
 * Twilio SDK clients, one per account, honouring TWILIO_API_BASE_URL and our timeout. Clients are
 * kept (a few hundred at most) so sends reuse their keep-alive connections instead of opening one each.
 */
export class TwilioClients {
  private readonly clients = new Map<string, TwilioClient>()

  constructor(private readonly opts: { baseUrl: string; timeoutMs: number }) {}

  for(accountSid: string, authToken: string): TwilioClient {
    const key = `${accountSid}:${sha256(authToken)}`
    const cached = this.clients.get(key)
    if (cached) return cached
    const opts = { timeout: this.opts.timeoutMs, keepAlive: true, autoRetry: false }
    const httpClient =
      this.opts.baseUrl === DEFAULT_BASE ? new twilio.RequestClient(opts) : new BaseUrlRequestClient(new URL(this.opts.baseUrl), opts)
    const client = twilio(accountSid, authToken, { httpClient })
    if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string)
    this.clients.set(key, client)
    return client
  }
}

/** The Twilio error fields we act on, whatever shape the SDK threw. */
export function twilioErrorOf(e: unknown): { status?: number; code?: number; message: string } {
  const err = e as { status?: number; code?: number | string; message?: string }
  const code = typeof err.code === 'number' ? err.code : undefined
  return { status: typeof err.status === 'number' ? err.status : undefined, code, message: err.message ?? String(e) }
}
