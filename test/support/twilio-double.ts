import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

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
}

export const hex = (bytes: number) => randomBytes(bytes).toString('hex')

/** Twilio's error body for a code. */
export function twilioError(code: number, status: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }
}

export class TwilioDouble {
  readonly accounts = new Map<string, DoubleAccount>()
  readonly requests: RecordedRequest[] = []
  /** Statuses to answer with, one per request, before normal handling (e.g. 500, 429). */
  readonly failures: number[] = []
  private server = createServer((req, res) => void this.handle(req, res))
  url = ''

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
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
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, form }
    this.requests.push(recorded)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const injected = this.failures.shift()
    if (injected) {
      const code = injected === 429 ? 20429 : 20500
      return send(injected, twilioError(code, injected, injected === 429 ? 'Too Many Requests' : 'Internal Server Error'))
    }
    const account = this.authenticate(req)
    if (!account) return send(401, twilioError(20003, 401, 'Authenticate'))
    recorded.accountSid = account.sid
    const path = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})(\/[A-Za-z]+)?\.json$/.exec(url.pathname)
    if (!path || path[1] !== account.sid) {
      return send(404, twilioError(20404, 404, `The requested resource ${url.pathname} was not found`))
    }
    const sub = path[2]
    if (!sub && req.method === 'GET') return send(200, this.accountResource(account))
    if (sub === '/IncomingPhoneNumbers' && req.method === 'GET') return send(200, this.numberPage(account, url))
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
}
