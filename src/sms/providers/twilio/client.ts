import twilio from 'twilio'
import type { RequestOptions } from 'twilio/lib/base/RequestClient.js'
import { sha256 } from '../../../crypto.js'

const DEFAULT_BASE = 'https://api.twilio.com'
const MAX_CLIENTS = 500

/**
 * Watches each request to the provider (a span, a latency): `operation` is low-cardinality (create,
 * fetch, list…); `send` takes headers to add (the trace context).
 */
export type ProviderRequestObserver = <T extends { statusCode: number }>(
  operation: string,
  send: (headers: Record<string, string>) => Promise<T>,
) => Promise<T>

/** What a Twilio REST path does, in a word fit for a label. */
export function twilioOperation(method: string, path: string): string {
  if (/\/Messages\.json$/.test(path)) return method === 'POST' ? 'create' : 'list'
  if (/\/Messages\/[^/]+\.json$/.test(path)) return 'fetch'
  if (/\/IncomingPhoneNumbers/.test(path)) return 'numbers'
  if (/\/Accounts\/[^/]+\.json$/.test(path)) return 'account'
  return 'other'
}

/** The SDK's requests, sent to TWILIO_API_BASE_URL when set (tests, proxies, gateways), each observed. */
class ObservedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL | undefined,
    private readonly observe: ProviderRequestObserver,
    opts: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(opts)
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const uri = new URL(opts.uri)
    const operation = twilioOperation(String(opts.method).toUpperCase(), uri.pathname)
    if (this.base && uri.hostname.endsWith('twilio.com')) {
      const path = uri.pathname
      uri.protocol = this.base.protocol
      uri.host = this.base.host
      uri.pathname = this.base.pathname.replace(/\/$/, '') + path
    }
    const send = (headers: Record<string, string>) => super.request({ ...opts, uri: uri.href, headers: { ...opts.headers, ...headers } })
    if (String(opts.method).toUpperCase() !== 'GET') return this.observe(operation, send)
    // A kept-alive socket the server closed just as a request went out fails with ECONNRESET before
    // any answer; a read is sent once more (a create is not: Twilio may hold it, and is asked instead).
    return this.observe(operation, (headers) => send(headers).catch((e) => (isConnectionReset(e) ? send(headers) : Promise.reject(e))))
  }
}

const isConnectionReset = (e: unknown) => (e as { code?: unknown })?.code === 'ECONNRESET'

const unobserved: ProviderRequestObserver = (_operation, send) => send({})

export type TwilioClient = ReturnType<typeof twilio>

/**
 * Twilio SDK clients, one per account, honouring TWILIO_API_BASE_URL and our timeout. Clients are
 * kept (a few hundred at most) so sends reuse their keep-alive connections instead of opening one each.
 */
export class TwilioClients {
  private readonly clients = new Map<string, TwilioClient>()

  constructor(private readonly opts: { baseUrl: string; timeoutMs: number; observe?: ProviderRequestObserver }) {}

  for(accountSid: string, authToken: string): TwilioClient {
    const key = `${accountSid}:${sha256(authToken)}`
    const cached = this.clients.get(key)
    if (cached) return cached
    const opts = { timeout: this.opts.timeoutMs, keepAlive: true, autoRetry: false }
    const base = this.opts.baseUrl === DEFAULT_BASE ? undefined : new URL(this.opts.baseUrl)
    const httpClient = new ObservedRequestClient(base, this.opts.observe ?? unobserved, opts)
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
