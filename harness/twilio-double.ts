import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SegmentedMessage } from 'sms-segments-calculator'
import twilio from 'twilio'

/**
 * A local Twilio-compatible server for the real `twilio` SDK (through TWILIO_API_BASE_URL).
 * It answers like Twilio's 2010-04-01 REST API: HTTP basic auth with Account SID and Auth Token,
 * JSON resources, and Twilio's error bodies ({code, message, more_info, status}).
 */
export interface DoubleNumber {
  phoneNumber: string
  sms: boolean
}

export interface DoubleAccount {
  sid: string
  token: string
  status: 'active' | 'suspended' | 'closed'
  numbers: DoubleNumber[]
}

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  form: URLSearchParams
  accountSid?: string
  /** When it arrived (ms since the epoch). */
  at: number
  /** The W3C trace context the client sent, if any. */
  traceparent?: string
}

export const hex = (bytes: number) => randomBytes(bytes).toString('hex')

/** A message the double accepted, with where its status callbacks go. */
export interface DoubleMessage {
  resource: Record<string, unknown> & { sid: string; status: string; to: string; body: string }
  statusCallback?: string
  account: DoubleAccount
  /** Until then (ms since the epoch) the message is in no list, though it was taken (Twilio's lists lag). */
  listedAt?: number
}

/** Twilio's error body for a code. */
export function twilioError(code: number, status: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }
}

export class TwilioDouble {
  readonly accounts = new Map<string, DoubleAccount>()
  readonly requests: RecordedRequest[] = []
  /** Statuses to answer with, one per request, before normal handling (e.g. 500, 429). */
  readonly failures: number[] = []
  /** The first create of each new message body fails with this status, this many times (see failFirstAttempts). */
  readonly firstAttempts = { status: 0, remaining: 0, bodies: new Set<string>() }
  /** Twilio error codes to answer a message create with, per To number (e.g. 21614). */
  readonly recipientErrors = new Map<string, number>()
  readonly messages = new Map<string, DoubleMessage>()
  /** The next this many requests, of any kind, have their connection cut before anything is done or answered. */
  cutRequests = 0
  /** While set, message creates are recorded and accepted but not answered (a provider that hangs) until released. */
  holdMessages = false
  /**
   * What happens to the next accepted creates, one entry each: answered after `delayMs`, or
   * `drop`ped (the message is accepted, the connection is cut before any answer), answered with a
   * server error (`answerStatus`: the message is accepted, a gateway in front times out), or taken
   * only after `acceptAfterMs` (until then the message is in no list, as when Twilio is slow); a
   * message taken may also be missing from lists for `unlistedForMs` (a list that lags the create).
   */
  readonly createFaults: { delayMs?: number; drop?: boolean; acceptAfterMs?: number; answerStatus?: number; unlistedForMs?: number }[] = []
  private held: { res: ServerResponse; body: unknown }[] = []
  // Idle connections stay open longer than the SDK keeps a free socket (TWILIO_TIMEOUT_MS), as a
  // real API's do: otherwise both ends drop one at the same moment, and a request sent on it then
  // fails with ECONNRESET (a race of the test's making, not Twilio's).
  private server = Object.assign(
    createServer((req, res) => void this.handle(req, res)),
    { keepAliveTimeout: 65_000 },
  )
  url = ''

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    for (const { res } of this.held) res.destroy()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Answers the creates held so far (as Twilio would have, late), and stops holding new ones. */
  releaseHeld(): number {
    this.holdMessages = false
    const held = this.held.splice(0)
    for (const { res, body } of held) {
      if (res.destroyed) continue
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    return held.length
  }

  /** Registers a new account with random credentials and the given numbers. */
  addAccount(numbers: DoubleNumber[] = [{ phoneNumber: '+14155550100', sms: true }]): DoubleAccount {
    const account: DoubleAccount = { sid: `AC${hex(16)}`, token: hex(16), status: 'active', numbers }
    this.accounts.set(account.sid, account)
    return account
  }

  private authenticate(req: IncomingMessage): DoubleAccount | undefined {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '')
    if (!m?.[1]) return undefined
    const [user, pass] = Buffer.from(m[1], 'base64').toString().split(':')
    const account = user ? this.accounts.get(user) : undefined
    return account && account.token === pass ? account : undefined
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://double')
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const form = new URLSearchParams(Buffer.concat(chunks).toString())
    const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      form,
      at: Date.now(),
      traceparent,
    }
    this.requests.push(recorded)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (this.cutRequests > 0) {
      this.cutRequests--
      return void res.destroy()
    }
    const injected = this.failures.shift() ?? this.firstAttemptFailure(req.method, url.pathname, form)
    if (injected) {
      const code = injected === 429 ? 20429 : 20500
      return send(injected, twilioError(code, injected, injected === 429 ? 'Too Many Requests' : 'Internal Server Error'))
    }
    const account = this.authenticate(req)
    if (!account) return send(401, twilioError(20003, 401, 'Authenticate'))
    recorded.accountSid = account.sid
    const path = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})(\/[A-Za-z]+)?(\/[A-Z]{2}[0-9a-fA-F]{32})?\.json$/.exec(url.pathname)
    const notFound = () => send(404, twilioError(20404, 404, `The requested resource ${url.pathname} was not found`))
    if (!path || path[1] !== account.sid) return notFound()
    const [, , sub, item] = path
    if (!sub && req.method === 'GET') return send(200, this.accountResource(account))
    if (sub === '/IncomingPhoneNumbers' && !item && req.method === 'GET') return send(200, this.numberPage(account, url))
    if (sub === '/Messages' && !item && req.method === 'POST') {
      const slow = this.createFaults[0]?.acceptAfterMs
      if (slow) {
        this.createFaults.shift()
        await new Promise((r) => setTimeout(r, slow))
      }
      const [status, body] = this.createMessage(account, form)
      if (status !== 201) return send(status, body)
      if (this.holdMessages) return void this.held.push({ res, body: structuredClone(body) })
      const fault = this.createFaults.shift()
      const taken = this.messages.get((body as { sid: string }).sid)
      if (taken && fault?.unlistedForMs) taken.listedAt = Date.now() + fault.unlistedForMs
      if (fault?.drop) return void res.destroy()
      if (fault?.answerStatus) return send(fault.answerStatus, twilioError(20500, fault.answerStatus, 'Bad Gateway'))
      if (fault?.delayMs) return void setTimeout(() => send(status, body), fault.delayMs)
      return send(status, body)
    }
    if (sub === '/Messages' && !item && req.method === 'GET') return send(200, this.messagePage(account, url))
    if (sub === '/Messages' && item && req.method === 'GET') {
      const m = this.messages.get(item.slice(1))
      return m && m.account === account ? send(200, m.resource) : notFound()
    }
    return send(405, twilioError(20004, 405, 'Method not allowed'))
  }

  private accountResource(a: DoubleAccount) {
    return {
      sid: a.sid,
      owner_account_sid: a.sid,
      friendly_name: 'Test account',
      status: a.status,
      type: 'Full',
      date_created: new Date(0).toUTCString(),
      date_updated: new Date(0).toUTCString(),
      uri: `/2010-04-01/Accounts/${a.sid}.json`,
      subresource_uris: {},
    }
  }

  private numberPage(a: DoubleAccount, url: URL) {
    const wanted = url.searchParams.get('PhoneNumber')
    const pageSize = Number(url.searchParams.get('PageSize') ?? 50)
    const matches = a.numbers.filter((n) => !wanted || n.phoneNumber === wanted).slice(0, pageSize)
    return {
      incoming_phone_numbers: matches.map((n, i) => ({
        sid: `PN${String(i).padStart(32, '0')}`,
        account_sid: a.sid,
        phone_number: n.phoneNumber,
        friendly_name: n.phoneNumber,
        capabilities: { voice: true, sms: n.sms, mms: n.sms, fax: false },
        status: 'in-use',
      })),
      uri: `${url.pathname}${url.search}`,
      first_page_uri: `${url.pathname}${url.search}`,
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: pageSize,
      start: 0,
      end: Math.max(matches.length - 1, 0),
    }
  }

  /** Validates a create as Twilio's CreateMessage operation does, then stores the message. */
  private createMessage(account: DoubleAccount, form: URLSearchParams): [number, unknown] {
    const to = form.get('To')
    const from = form.get('From')
    const service = form.get('MessagingServiceSid')
    const body = form.get('Body')
    const e164 = /^\+[1-9]\d{1,14}$/
    const bad = (code: number, message: string): [number, unknown] => [400, twilioError(code, 400, message)]
    if (!to) return bad(21604, "A 'To' phone number is required.")
    if (!from && !service) return bad(21603, "A 'From' phone number is required.")
    if (!body && !form.get('MediaUrl') && !form.get('ContentSid')) return bad(21602, 'Message body is required.')
    if (!e164.test(to)) return bad(21211, `The 'To' number ${to} is not a valid phone number.`)
    if (from && !e164.test(from)) return bad(21212, `The 'From' number ${from} is not a valid phone number.`)
    if (service && !/^MG[0-9a-fA-F]{32}$/.test(service)) return bad(21705, 'The Messaging Service Sid is invalid.')
    if (from && !account.numbers.some((n) => n.phoneNumber === from && n.sms)) {
      return bad(21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`)
    }
    if (body && [...body].length > 1600) return bad(21617, 'The concatenated message body exceeds the 1600 character limit.')
    const callback = form.get('StatusCallback')
    if (callback && !validCallback(callback)) return bad(21609, 'The StatusCallback URL is not a valid URL.')
    for (const [field, prefix] of [
      ['ApplicationSid', 'AP'],
      ['ContentSid', 'HX'],
    ] as const) {
      const v = form.get(field)
      if (v && !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v)) return bad(21200, `Invalid ${field}.`)
    }
    const injected = this.recipientErrors.get(to)
    if (injected) {
      const status = injected === 20429 ? 429 : injected === 20003 ? 401 : 400
      return [status, twilioError(injected, status, `Error ${injected} for ${to}`)]
    }
    const sid = `SM${hex(16)}`
    const now = new Date().toUTCString()
    const resource = {
      sid,
      account_sid: account.sid,
      messaging_service_sid: service,
      from: from ?? null,
      to,
      body: body ?? '',
      status: service ? 'accepted' : 'queued',
      num_segments: String(new SegmentedMessage(body ?? '', 'auto').segmentsCount),
      num_media: '0',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      date_sent: null,
      error_code: null,
      error_message: null,
      price: null,
      price_unit: 'USD',
      uri: `/2010-04-01/Accounts/${account.sid}/Messages/${sid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${account.sid}/Messages/${sid}/Media.json` },
    }
    this.messages.set(sid, { resource, statusCallback: callback ?? undefined, account })
    return [201, resource]
  }

  /**
   * ListMessage as Twilio documents it: filtered by `To`, `From` and the date the message was sent
   * (`DateSent`, `DateSent<`, `DateSent>`: GMT dates, compared by day; a message not sent yet has no
   * sent date and matches no DateSent filter), newest first, paged by PageSize/Page/PageToken.
   */
  private messagePage(a: DoubleAccount, url: URL) {
    const q = url.searchParams
    const to = q.get('To')
    const from = q.get('From')
    const day = (v: string) => v.slice(0, 10)
    const sentDay = (m: DoubleMessage) => (m.resource.date_sent ? new Date(String(m.resource.date_sent)).toISOString().slice(0, 10) : null)
    const dateFilters: [string, (d: string, v: string) => boolean][] = [
      ['DateSent', (d, v) => d === day(v)],
      ['DateSent<', (d, v) => d <= day(v)],
      ['DateSent>', (d, v) => d >= day(v)],
    ]
    const matches = [...this.messages.values()]
      .filter((m) => m.account === a && (m.listedAt ?? 0) <= Date.now())
      .filter((m) => (!to || m.resource.to === to) && (!from || m.resource.from === from))
      .filter((m) =>
        dateFilters.every(([name, test]) => {
          const v = q.get(name)
          if (!v) return true
          const d = sentDay(m)
          return d !== null && test(d, v)
        }),
      )
      .map((m) => m.resource)
      .reverse()
    const pageSize = Math.min(Number(q.get('PageSize') ?? 50), 1000)
    const offset = Number(/^PA(\d+)$/.exec(q.get('PageToken') ?? '')?.[1] ?? 0)
    const page = Number(q.get('Page') ?? 0)
    const messages = matches.slice(offset, offset + pageSize)
    const uri = `${url.pathname}${url.search}`
    let next: string | null = null
    if (offset + pageSize < matches.length) {
      const n = new URLSearchParams(q)
      n.set('Page', String(page + 1))
      n.set('PageToken', `PA${offset + pageSize}`)
      n.set('PageSize', String(pageSize))
      next = `${url.pathname}?${n}`
    }
    return {
      messages,
      uri,
      first_page_uri: uri,
      next_page_uri: next,
      previous_page_uri: null,
      page,
      page_size: pageSize,
      start: offset,
      end: offset + messages.length - 1,
    }
  }

  /** Moves a message to `status` and posts Twilio's signed status callback (returns the HTTP status). */
  /**
   * `via`: the origin to post to instead of the StatusCallback's own (the service under test listens
   * on another port than its PUBLIC_URL); the signature still covers the StatusCallback URL itself,
   * as Twilio's does, unless `url` (a forged one) or `token` (the wrong key) say otherwise.
   */
  async statusCallback(
    sid: string,
    status: string,
    extra: Record<string, string> = {},
    opts: { token?: string; url?: string; via?: string } = {},
  ) {
    const m = this.messages.get(sid)
    if (!m?.statusCallback) throw new Error(`no message ${sid} with a StatusCallback`)
    this.setStatus(sid, status)
    if (extra.ErrorCode) m.resource.error_code = Number(extra.ErrorCode)
    const params: Record<string, string> = {
      ApiVersion: '2010-04-01',
      AccountSid: m.account.sid,
      MessageSid: sid,
      SmsSid: sid,
      SmsStatus: status,
      MessageStatus: status,
      To: m.resource.to,
      ...(m.resource.from ? { From: String(m.resource.from) } : {}),
      ...(m.resource.messaging_service_sid ? { MessagingServiceSid: String(m.resource.messaging_service_sid) } : {}),
      ...extra,
    }
    const url = opts.url ?? m.statusCallback
    const signature = twilio.getExpectedTwilioSignature(opts.token ?? m.account.token, url, params)
    const target = opts.via ? `${opts.via}${new URL(m.statusCallback).pathname}${new URL(m.statusCallback).search}` : m.statusCallback
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params),
    })
    return res.status
  }

  /** Moves a message to a status, as Twilio's own processing would (a sent message gets its sent date). */
  setStatus(sid: string, status: string) {
    const m = this.messages.get(sid)
    if (!m) throw new Error(`no message ${sid}`)
    m.resource.status = status
    m.resource.date_updated = new Date().toUTCString()
    if (!m.resource.date_sent && ['sending', 'sent', 'delivered', 'undelivered', 'read'].includes(status)) {
      m.resource.date_sent = new Date().toUTCString()
    }
  }

  /**
   * A reply from `from` to one of the account's numbers, posted as Twilio's incoming-message
   * webhook (signed with the account's token for `url`, posted to `via` + its path when given).
   */
  async reply(account: DoubleAccount, from: string, to: string, body: string, url: string, via?: string) {
    const params: Record<string, string> = {
      ApiVersion: '2010-04-01',
      AccountSid: account.sid,
      MessageSid: `SM${hex(16)}`,
      SmsMessageSid: `SM${hex(16)}`,
      From: from,
      To: to,
      Body: body,
      NumMedia: '0',
    }
    const target = via ? `${via}${new URL(url).pathname}${new URL(url).search}` : url
    const res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(account.token, url, params),
      },
      body: new URLSearchParams(params),
    })
    return { status: res.status, body: await res.text() }
  }

  /**
   * The first create of each of the next `count` new message bodies fails with `status`; their
   * retries go through (unlike `failures`, which any request takes, in turn).
   */
  failFirstAttempts(count: number, status: number) {
    Object.assign(this.firstAttempts, { status, remaining: count })
  }

  private firstAttemptFailure(method: string | undefined, path: string, form: URLSearchParams): number | undefined {
    const f = this.firstAttempts
    const body = form.get('Body')
    if (!f.remaining || method !== 'POST' || !path.endsWith('/Messages.json') || body === null || f.bodies.has(body)) return undefined
    f.bodies.add(body)
    f.remaining--
    return f.status
  }

  /** Message creates the double received (accepted or not). */
  messageCreates(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'))
  }
}

function validCallback(value: string): boolean {
  try {
    const u = new URL(value)
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.hostname.includes('_')
  } catch {
    return false
  }
}
