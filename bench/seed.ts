import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import twilio from 'twilio'
import { percentile } from './lib.js'

/**
 * autocannon, its latency percentiles taken from each 2xx response's own time: its histogram keeps
 * whole milliseconds, too coarse for requests of 1 to 5 ms (a 1.4 ms baseline read as 1).
 */
export function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const times: number[] = []
    const exact = (p: number) => Number(percentile(times, p).toFixed(2))
    const run = autocannon(options, (err, result) => {
      if (err) return reject(err)
      if (times.length === 0) return resolve(result)
      resolve({ ...result, latency: { ...result.latency, p50: exact(50), p90: exact(90), p99: exact(99) } })
    })
    run.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) times.push(ms)
    })
  })
}

/** Seeds one user with a Twilio account, an action, a campaign, a MONITOR key and `n` QUEUED deliveries. */
export async function seed(n: number) {
  const { createDatabase } = await import('../src/db/client.js')
  const { createCipher } = await import('../src/crypto.js')
  const { generateApiKey } = await import('../src/auth.js')
  const { db } = createDatabase(process.env.DATABASE_URL as string)
  const cipher = createCipher(Buffer.from(process.env.ENCRYPTION_KEY as string, 'base64'))
  const token = randomBytes(16).toString('hex')
  const accountSid = `AC${randomBytes(16).toString('hex')}`
  const user = await db.user.create({
    data: { email: `bench-${randomBytes(4).toString('hex')}@example.com`, enabledProviders: 'TWILIO,ATLAS' },
  })
  await db.twilioAccount.create({
    data: { userId: user.id, accountSid, authTokenEnc: cipher.encrypt(token, user.id), verifiedAt: new Date() },
  })
  const action = await db.smsAction.create({
    data: { userId: user.id, name: 'bench', liveName: 'bench', description: 'bench', provider: 'TWILIO', fromNumber: '+14155550100' },
  })
  const campaign = await db.campaign.create({ data: { userId: user.id, name: 'bench' } })
  await db.campaignSmsAction.create({ data: { campaignId: campaign.id, smsActionId: action.id } })
  const key = generateApiKey('bench', 'MONITOR')
  await db.apiKey.create({ data: { userId: user.id, ...key.stored } })
  const sids: string[] = []
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, () => {
      const sid = `SM${randomBytes(16).toString('hex')}`
      sids.push(sid)
      return {
        userId: user.id,
        smsActionId: action.id,
        campaignId: campaign.id,
        callId: `call-${i}`,
        to: '+14155550123',
        fromNumber: '+14155550100',
        body: 'Your table is booked.',
        provider: 'TWILIO' as const,
        status: 'QUEUED' as const,
        providerMessageId: sid,
        segments: 1,
        encoding: 'GSM7' as const,
      }
    })
    await db.smsDelivery.createMany({ data: batch })
  }
  return { db, token, accountSid, userId: user.id, campaignId: campaign.id, actionId: action.id, key: key.key, sids }
}

/** A status callback as Twilio would post it: the form body and its X-Twilio-Signature. */
export function signedCallback(url: string, token: string, accountSid: string, sid: string, status: string) {
  const params = {
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: accountSid,
    MessageStatus: status,
    SmsStatus: status,
    ApiVersion: '2010-04-01',
    To: '+14155550123',
    From: '+14155550100',
  }
  return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(token, url, params) }
}

/** For sendSms benchmarks: the Twilio double (knowing the seeded account), the env, and an AGENT key. */
export async function sendingBench() {
  const { TwilioDouble } = await import('../harness/twilio-double.js')
  const { benchEnv } = await import('./lib.js')
  const double = await new TwilioDouble().start()
  process.env.TWILIO_API_BASE_URL = double.url
  const { url } = await benchEnv()
  const data = await seed(0)
  double.accounts.set(data.accountSid, {
    sid: data.accountSid,
    token: data.token,
    status: 'active',
    numbers: [{ phoneNumber: '+14155550100', sms: true }],
  })
  const action = await data.db.smsAction.findFirstOrThrow({ where: { userId: data.userId } })
  const { generateApiKey } = await import('../src/auth.js')
  const agent = generateApiKey('agent', 'AGENT')
  await data.db.apiKey.create({ data: { userId: data.userId, ...agent.stored } })
  return { double, url, data, actionId: action.id, agentKey: agent.key }
}

/** Figures of one autocannon run: throughput from the totals, latency percentiles, failures. */
export function summary(r: autocannon.Result) {
  return {
    // autocannon's own duration is counted in whole seconds; a closed loop of c connections does c/latency.
    'req/s': Math.round((r.connections * 1000) / r.latency.mean),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  }
}

/** Posts one signed `status` callback per message SID to `callbackUrl`, `connections` at a time. */
export async function postCallbacks(
  callbackUrl: string,
  account: { token: string; accountSid: string },
  sids: string[],
  { status = 'sent', connections = 50 } = {},
): Promise<autocannon.Result> {
  let i = 0
  const bodies = sids.map((sid) => signedCallback(callbackUrl, account.token, account.accountSid, sid, status))
  return load({
    url: callbackUrl,
    method: 'POST',
    connections,
    amount: sids.length,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [
      {
        setupRequest: (req) => {
          const b = bodies[i++ % bodies.length] as { body: string; signature: string }
          return { ...req, body: b.body, headers: { ...req.headers, 'x-twilio-signature': b.signature } }
        },
      },
    ],
  })
}

/** A distinct, valid US mobile-or-landline-agnostic number per n (415-555-01xx is reserved for fiction). */
export const callerNumber = (n: number) => `+1415${String(2000000 + (n % 7000000)).padStart(7, '0')}`

const SEND = `mutation($input: SendSmsInput!) { sendSms(input: $input) { __typename ... on SendSmsSuccess { delivery { id status } } ... on Error { code } } }`
let sent = 0

/** sendSms through the service at `url`, `connections` at a time, each on a call of its own. */
export function sendLoad(
  url: string,
  bench: { agentKey: string; actionId: string; data: { campaignId: string } },
  connections: number,
  amount: number,
) {
  return load({
    url: `${url}/graphql`,
    method: 'POST',
    connections,
    amount,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.agentKey}` },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            query: SEND,
            variables: {
              input: {
                campaignId: bench.data.campaignId,
                smsActionId: bench.actionId,
                // A call (and caller) of its own per send, and an idempotency key, as a runtime sends them.
                call: { callId: `bench-${sent}`, customerPhoneNumber: callerNumber(sent) },
                idempotencyKey: `tool-call-${sent++}`,
                body: 'Your table is booked.',
              },
            },
          }),
        }),
      },
    ],
  })
}

/** smsDeliveries with each delivery's action and campaign, as bench/reads.ts measures it. */
export const pageRead = (first: number) =>
  JSON.stringify({
    query: `{ smsDeliveries(first: ${first}) { edges { node { id status to createdAt smsAction { id name } campaign { id name } } } } }`,
  })

/** `amount` reads of a page of 50 at concurrency 20, with the API key given. */
export const pageLoad = (url: string, key: string, amount: number) =>
  load({
    url: `${url}/graphql`,
    method: 'POST',
    connections: 20,
    amount,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: pageRead(50),
  })

/** The deliveries of `owner` grown to `to` rows with plain SQL (Prisma would take minutes for a million rows), one a second back in time. */
export async function growDeliveries(
  db: Awaited<ReturnType<typeof seed>>['db'],
  owner: { userId: string; smsActionId: string; campaignId: string },
  to: number,
) {
  const have = await db.smsDelivery.count()
  const cols =
    '"id","userId","smsActionId","campaignId","callId","to","body","provider","status","providerMessageId","segments","encoding","sandbox","attempts","createdAt","updatedAt"'
  for (let i = have; i < to; i += 20_000) {
    const n = Math.min(20_000, to - i)
    if (process.env.BENCH_DATABASE_URL) {
      await db.$executeRawUnsafe(
        `INSERT INTO "SmsDelivery" (${cols}) SELECT 'bulk' || g, $1, $2, $3, 'call-' || (g % 5000), '+14155550123', 'Bulk text', 'TWILIO', 'DELIVERED', 'SMbulk' || g, 1, 'GSM7', false, 1, NOW() - (g || ' seconds')::interval, NOW() FROM generate_series($4::int, $5::int) g`,
        owner.userId,
        owner.smsActionId,
        owner.campaignId,
        i,
        i + n - 1,
      )
    } else {
      const rows = Array.from(
        { length: n },
        (_, k) =>
          `('bulk${i + k}','${owner.userId}','${owner.smsActionId}','${owner.campaignId}','call-${(i + k) % 5000}','+14155550123','Bulk text','TWILIO','DELIVERED','SMbulk${i + k}',1,'GSM7',0,1,'${new Date(Date.now() - (i + k) * 1000).toISOString()}','${new Date().toISOString()}')`,
      )
      for (let k = 0; k < rows.length; k += 2000)
        await db.$executeRawUnsafe(`INSERT INTO "SmsDelivery" (${cols}) VALUES ${rows.slice(k, k + 2000).join(',')}`)
    }
  }
}
