import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { over } from '../harness/client.js'
import { WebhookReceiver } from '../harness/webhook-receiver.js'
import { createCipher } from '../src/crypto.js'
import { buildApp } from '../src/http/app.js'
import { createServices } from '../src/services.js'
import { postJson } from '../src/webhooks/poster.js'
import { app, clock, config, db, gql, mutate, sendingSetup, services, twilio } from './support/helpers.js'

const receivers: WebhookReceiver[] = []
beforeAll(() => app.start())
afterAll(() => Promise.all(receivers.map((r) => r.close())))
const receiver = async () => {
  const r = await new WebhookReceiver().start()
  receivers.push(r)
  return r
}

type Setup = Awaited<ReturnType<typeof sendingSetup>>
const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename ... on CreateWebhookEndpointSuccess { signingSecret webhookEndpoint { id url eventTypes enabled } }
  ... on Error { code message } } }`
const ENDPOINT = `query($id: ID!) { webhookEndpoint(id: $id) { id enabled disabledReason failingSince
  messages(first: 20) { edges { node { id eventType deliveryId status attempts nextAttemptAt finishedAt
    attemptLog { at statusCode latencyMs error } } } } } }`

async function endpointFor(s: Setup, r: WebhookReceiver, eventTypes: string[], extra: Record<string, unknown> = {}) {
  const created = await mutate('createWebhookEndpoint', CREATE, { input: { url: r.url, eventTypes, ...extra } }, s.user.key)
  if (!created.signingSecret) throw new Error(JSON.stringify(created))
  r.secret = created.signingSecret
  return created.webhookEndpoint.id as string
}
const endpoint = async (s: Setup, id: string) => (await gql(ENDPOINT, { id }, s.user.key)).data.webhookEndpoint
const messages = async (s: Setup, id: string) => (await endpoint(s, id)).messages.edges.map((e: { node: unknown }) => e.node)
async function sent(s: Setup, callId: string) {
  const r = await s.send({ call: { callId, customerPhoneNumber: '+14155550123' } })
  return { id: r.delivery.id as string, sid: r.delivery.providerMessageId as string }
}
const callback = (sid: string, status: string, extra: Record<string, string> = {}) =>
  twilio.statusCallback(sid, status, extra, { via: app.url })

describe('signed outbound webhooks', () => {
  it('posts the status changes an endpoint asked for, signed per Standard Webhooks, with a stable id', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    const id = await endpointFor(s, r, ['SENT', 'DELIVERED'])
    const { id: deliveryId, sid } = await sent(s, 'wh-1')
    expect(await callback(sid, 'sent')).toBe(200)
    expect(await callback(sid, 'delivered')).toBe(200)
    await vi.waitFor(() => expect(r.received).toHaveLength(2), { timeout: 5000 })
    expect(r.received.every((m) => m.verified)).toBe(true)
    // Posted at once, each on its own connection: they may arrive in either order (each says its status).
    expect(r.received.map((m) => m.payload.type).sort()).toEqual(['sms.delivered', 'sms.sent'])
    const delivered = r.received.find((m) => m.payload.type === 'sms.delivered')
    expect(delivered?.payload.data).toMatchObject({ deliveryId, status: 'DELIVERED', callId: 'wh-1', campaignId: s.campaignId })
    expect(delivered?.body).not.toContain('booked for 7pm')
    expect(r.received[0]?.headers['content-type']).toBe('application/json')
    expect(r.received[0]?.id).toMatch(/^msg_/)
    // The receiver answered before the attempt was recorded.
    await vi.waitFor(async () =>
      expect((await messages(s, id)).map((m: { status: string }) => m.status)).toEqual(['DELIVERED', 'DELIVERED']),
    )
    const stored = await messages(s, id)
    expect(stored.map((m: { id: string }) => m.id).sort()).toEqual(r.ids().sort())
    // A forged or replayed body fails the receiver's check.
    const forged = { ...delivered?.headers } as Record<string, string>
    expect(() => new Webhook(r.secret as string).verify(delivered?.body.replace('DELIVERED', 'FAILED') as string, forged)).toThrow()
  })

  it('keeps the secret sealed: shown once, encrypted at rest, replaced by rotation', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    const id = await endpointFor(s, r, ['DELIVERED'])
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id } })
    expect(row.secret).not.toContain((r.secret as string).slice(6))
    const listed = await gql('{ webhookEndpoints { id url } }', {}, s.user.key)
    expect(JSON.stringify(listed)).not.toContain('whsec_')
    const old = r.secret
    const rotated = await mutate(
      'rotateWebhookSecret',
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { ... on RotateWebhookSecretSuccess { signingSecret } } }',
      { id },
      s.user.key,
    )
    expect(rotated.signingSecret).toMatch(/^whsec_/)
    expect(rotated.signingSecret).not.toBe(old)
    r.secret = rotated.signingSecret
    const { sid } = await sent(s, 'wh-rotate')
    await callback(sid, 'delivered')
    await vi.waitFor(() => expect(r.received).toHaveLength(1), { timeout: 5000 })
    expect(r.received[0]?.verified).toBe(true)
    const received = r.received[0] as NonNullable<(typeof r.received)[0]>
    expect(() => new Webhook(old as string).verify(received.body, received.headers as Record<string, string>)).toThrow()
  })

  it('sends only the campaign’s changes to a campaign endpoint', async () => {
    const s = await sendingSetup()
    const other = await mutate(
      'createCampaign',
      'mutation { createCampaign(input: { name: "other" }) { ... on CreateCampaignSuccess { campaign { id } } } }',
      {},
      s.user.key,
    )
    const [mine, theirs] = [await receiver(), await receiver()]
    await endpointFor(s, mine, ['QUEUED'], { campaignId: s.campaignId })
    await endpointFor(s, theirs, ['QUEUED'], { campaignId: other.campaign.id })
    await sent(s, 'wh-campaign')
    await vi.waitFor(() => expect(mine.received).toHaveLength(1), { timeout: 5000 })
    expect(theirs.received).toEqual([])
  })

  it('retries with backoff until a 2xx, with every attempt queryable', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    r.answers.push(500, 503)
    const id = await endpointFor(s, r, ['QUEUED'])
    await sent(s, 'wh-retry')
    await vi.waitFor(async () => expect((await messages(s, id))[0]?.status).toBe('DELIVERED'), { timeout: 5000 })
    const [m] = await messages(s, id)
    expect(m.attempts).toBe(3)
    expect(m.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 503, 200])
    expect(m.attemptLog.every((a: { latencyMs: number }) => a.latencyMs >= 0)).toBe(true)
    const gaps = m.attemptLog.slice(1).map((a: { at: string }, i: number) => Date.parse(a.at) - Date.parse(m.attemptLog[i].at))
    expect(gaps[0]).toBeGreaterThanOrEqual(100)
    expect(gaps[1]).toBeGreaterThanOrEqual(200)
    expect(new Set(r.received.map((x) => x.id)).size).toBe(1)
    expect(r.received.every((x) => x.verified)).toBe(true)
    expect((await endpoint(s, id)).failingSince).toBeNull()
  })

  it('deletes messages finished longer ago than WEBHOOK_RETENTION_DAYS, with their attempts; waiting ones stay', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    const id = await endpointFor(s, r, ['QUEUED'])
    for (const call of ['wh-old', 'wh-recent', 'wh-waiting']) await sent(s, call)
    await vi.waitFor(async () =>
      expect((await messages(s, id)).map((m: { status: string }) => m.status)).toEqual(Array(3).fill('DELIVERED')),
    )
    const [old, recent, waiting] = await db.webhookMessage.findMany({ where: { endpointId: id }, orderBy: { createdAt: 'asc' } })
    const daysAgo = (days: number) => new Date(clock.now().getTime() - days * 86_400_000)
    expect(config.webhooks.retentionMs).toBe(30 * 86_400_000)
    await db.webhookMessage.update({ where: { id: old?.id }, data: { finishedAt: daysAgo(31) } })
    await db.webhookMessage.update({ where: { id: recent?.id }, data: { finishedAt: daysAgo(29) } })
    // An endpoint still being retried: its message is old but not finished.
    await db.webhookMessage.update({
      where: { id: waiting?.id },
      data: { status: 'PENDING', finishedAt: null, createdAt: daysAgo(40), nextAttemptAt: daysAgo(-1) },
    })
    expect(await services.webhookRetention.once()).toBe(1)
    const left = await db.webhookMessage.findMany({ where: { endpointId: id }, select: { id: true } })
    expect(left.map((m) => m.id).sort()).toEqual([recent?.id, waiting?.id].sort())
    expect(await db.webhookAttempt.count({ where: { messageId: old?.id } })).toBe(0)
    expect(await db.webhookAttempt.count({ where: { messageId: recent?.id } })).toBe(1)
  })

  it('marks a message FAILED once its retries are spent, and disables an endpoint that keeps failing', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    r.answers.push(...Array(8).fill(500))
    const id = await endpointFor(s, r, ['QUEUED', 'DELIVERED'])
    const { sid } = await sent(s, 'wh-fail')
    await vi.waitFor(async () => expect((await endpoint(s, id)).enabled).toBe(false), { timeout: 5000 })
    const e = await endpoint(s, id)
    expect(e.disabledReason).toMatch(/No attempt has succeeded since .*HTTP 500/)
    const [m] = await messages(s, id)
    expect(m).toMatchObject({ status: 'FAILED', attempts: 4, nextAttemptAt: null })
    expect(m.finishedAt).not.toBeNull()
    // Disabled: later changes are not queued for it; enabled again, they are.
    await callback(sid, 'delivered')
    expect(await messages(s, id)).toHaveLength(1)
    r.answers.length = 0
    await mutate('enableWebhookEndpoint', 'mutation($id: ID!) { enableWebhookEndpoint(id: $id) { __typename } }', { id }, s.user.key)
    await sent(s, 'wh-fail-2')
    await vi.waitFor(async () => expect((await messages(s, id))[0]?.status).toBe('DELIVERED'), { timeout: 5000 })
  })

  it('fails the messages of an endpoint whose secret cannot be read, posting nothing, after its retries', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    const id = await endpointFor(s, r, ['QUEUED'])
    const other = createCipher(randomBytes(32))
    await db.webhookEndpoint.update({ where: { id }, data: { secret: other.encrypt('whsec_x', `webhook:${id}`) } })
    await sent(s, 'wh-sealed')
    await vi.waitFor(async () => expect((await messages(s, id))[0]?.status).toBe('FAILED'), { timeout: 5000 })
    const [m] = await messages(s, id)
    expect(m.attemptLog.map((a: { error: string }) => a.error)).toEqual(
      Array(4).fill(expect.stringMatching(/signing secret cannot be read/)),
    )
    expect(r.received).toHaveLength(0)
  })

  it('disables an endpoint at once when it answers 410 Gone', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    r.answers.push(410)
    const id = await endpointFor(s, r, ['QUEUED'])
    await sent(s, 'wh-gone')
    await vi.waitFor(async () => expect((await endpoint(s, id)).disabledReason).toBe('The endpoint answered 410 Gone.'), { timeout: 5000 })
    expect(r.received).toHaveLength(1)
  })

  it('lets the owner update, disable and delete endpoints, and nobody else', async () => {
    const [s, intruder] = [await sendingSetup(), await sendingSetup()]
    const r = await receiver()
    const id = await endpointFor(s, r, ['QUEUED'])
    const update = await mutate(
      'updateWebhookEndpoint',
      'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { eventTypes: [DELIVERED, FAILED] }) { ... on UpdateWebhookEndpointSuccess { webhookEndpoint { eventTypes } } ... on Error { code } } }',
      { id },
      s.user.key,
    )
    expect(update.webhookEndpoint.eventTypes).toEqual(['DELIVERED', 'FAILED'])
    for (const [field, query] of [
      ['disableWebhookEndpoint', 'mutation($id: ID!) { disableWebhookEndpoint(id: $id) { __typename ... on Error { code } } }'],
      ['rotateWebhookSecret', 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { __typename ... on Error { code } } }'],
      ['deleteWebhookEndpoint', 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename ... on Error { code } } }'],
    ] as const) {
      expect((await mutate(field, query, { id }, intruder.user.key)).code, field).toBe('NOT_FOUND')
    }
    expect((await gql('query($id: ID!) { webhookEndpoint(id: $id) { id } }', { id }, intruder.user.key)).data.webhookEndpoint).toBeNull()
    const disabled = await mutate(
      'disableWebhookEndpoint',
      'mutation($id: ID!) { disableWebhookEndpoint(id: $id) { ... on DisableWebhookEndpointSuccess { webhookEndpoint { enabled disabledReason } } } }',
      { id },
      s.user.key,
    )
    expect(disabled.webhookEndpoint).toEqual({ enabled: false, disabledReason: 'Disabled by the owner.' })
    const deleted = await mutate(
      'deleteWebhookEndpoint',
      'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { ... on DeleteWebhookEndpointSuccess { deletedId } } }',
      { id },
      s.user.key,
    )
    expect(deleted.deletedId).toBe(id)
    expect((await gql('{ webhookEndpoints { id } }', {}, s.user.key)).data.webhookEndpoints).toEqual([])
  })

  it('refuses bad input with typed errors and holds the per-account limit', async () => {
    const s = await sendingSetup()
    const r = await receiver()
    const create = (input: Record<string, unknown>) =>
      mutate('createWebhookEndpoint', CREATE, { input: { url: r.url, eventTypes: ['DELIVERED'], ...input } }, s.user.key)
    expect(await create({ url: 'not a url' })).toMatchObject({ code: 'VALIDATION' })
    expect(await create({ url: 'ftp://example.com/x' })).toMatchObject({ code: 'VALIDATION' })
    expect(await create({ url: 'https://user:pw@example.com/x' })).toMatchObject({ code: 'VALIDATION' })
    expect(await create({ eventTypes: [] })).toMatchObject({ code: 'VALIDATION' })
    expect(await create({ campaignId: 'nope' })).toMatchObject({ code: 'NOT_FOUND' })
    // Asked for at once, as many as the limit are created and the rest refused.
    const cap = config.webhooks.endpointsPerUser
    const racing = await Promise.all(Array.from({ length: cap + 3 }, () => create({})))
    expect(racing.filter((c) => c.__typename === 'CreateWebhookEndpointSuccess')).toHaveLength(cap)
    expect(racing.filter((c) => c.code === 'LIMIT_REACHED')).toHaveLength(3)
    expect(await create({})).toMatchObject({ __typename: 'WebhookEndpointError', code: 'LIMIT_REACHED' })
  })
})

describe('webhook targets (SSRF)', () => {
  const strict = createServices(
    { ...config, webhooks: { ...config.webhooks, allowPrivate: false, allowHttp: false, timeoutMs: 300 } },
    { clock },
  )
  const strictApp = buildApp(strict, { port: 0, host: '127.0.0.1' })
  const strictGql = over((url, init) => strictApp.yoga.fetch(url, init))
  afterAll(() => strictApp.stop())

  it('refuses endpoints on private, loopback and link-local addresses, and plain http in production', async () => {
    const s = await sendingSetup()
    for (const url of [
      'https://127.0.0.1/hooks',
      'https://localhost/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://10.1.2.3/x',
      'https://192.168.0.10/x',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://[fe80::1]/x',
    ]) {
      const r = await strictGql(CREATE, { input: { url, eventTypes: ['DELIVERED'] } }, s.user.key)
      expect(r.data.createWebhookEndpoint, url).toMatchObject({ __typename: 'WebhookEndpointError', code: 'UNSAFE_URL' })
    }
    const http = await strictGql(CREATE, { input: { url: 'http://93.184.216.34/x', eventTypes: ['DELIVERED'] } }, s.user.key)
    expect(http.data.createWebhookEndpoint).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('https') })
    expect(await db.webhookEndpoint.count({ where: { userId: s.user.id } })).toBe(0)
  })

  it('checks the address again at each connection (a name that resolves to loopback is refused)', async () => {
    const r = await receiver()
    const port = new URL(r.url).port
    const refused = await postJson(`http://localhost:${port}/hooks`, {}, '{}', { timeoutMs: 1000, allowPrivate: false })
    expect(refused).toMatchObject({ statusCode: null, error: expect.stringContaining('private, loopback or link-local') })
    const allowed = await postJson(`http://localhost:${port}/hooks`, {}, '{}', { timeoutMs: 1000, allowPrivate: true })
    expect(allowed.statusCode).toBe(200)
    expect(r.received).toHaveLength(1)
  })

  it('reads past an endpoint with a backlog: one that hangs never holds up another’s messages', async () => {
    const s = await sendingSetup()
    const [slow, quick] = [await receiver(), await receiver()]
    slow.delayMs = 4000
    const hanging = await endpointFor(s, slow, ['SENT'])
    const other = await endpointFor(s, quick, ['SENT'])
    const { id: deliveryId } = await sent(s, 'wh-backlog')
    const { id: eventId } = await db.smsDeliveryEvent.findFirstOrThrow({ where: { deliveryId } })
    const ago = (ms: number) => new Date(clock.now().getTime() - ms)
    // 250 due messages for the endpoint that hangs, all older than the other endpoint's one.
    const backlog = Array.from({ length: 250 }, (_, i) => ({ id: `msg_backlog_${i}`, endpointId: hanging, nextAttemptAt: ago(60_000 - i) }))
    const rows = [...backlog, { id: 'msg_backlog_other', endpointId: other, nextAttemptAt: ago(0) }]
    await db.webhookMessage.createMany({ data: rows.map((m) => ({ ...m, eventId, deliveryId, createdAt: m.nextAttemptAt })) })
    services.webhooks.poke()
    await vi.waitFor(() => expect(quick.ids()).toEqual(['msg_backlog_other']), { timeout: 3000 })
    expect(slow.received.length).toBeLessThanOrEqual(config.webhooks.perEndpoint)
    await db.webhookEndpoint.delete({ where: { id: hanging } })
  })

  it('one user’s endpoints that hang hold at most WEBHOOK_USER_CONCURRENCY posts: another user’s go out meanwhile', async () => {
    const [a, b] = [await sendingSetup(), await sendingSetup()]
    const [slow, quick] = [await receiver(), await receiver()]
    slow.delayMs = 5000
    // As many endpoints as a user may have, each with more due messages than its own share: they would take every slot.
    const hanging = await Promise.all(Array.from({ length: config.webhooks.endpointsPerUser }, () => endpointFor(a, slow, ['SENT'])))
    const other = await endpointFor(b, quick, ['SENT'])
    const { id: deliveryId } = await sent(a, 'wh-fair')
    const { id: eventId } = await db.smsDeliveryEvent.findFirstOrThrow({ where: { deliveryId } })
    const ago = (ms: number) => new Date(clock.now().getTime() - ms)
    const rows = hanging.flatMap((endpointId, e) =>
      Array.from({ length: config.webhooks.perEndpoint + 1 }, (_, i) => ({
        id: `msg_fair_${e}_${i}`,
        endpointId,
        nextAttemptAt: ago(60_000 - i),
      })),
    )
    rows.push({ id: 'msg_fair_other', endpointId: other, nextAttemptAt: ago(0) })
    await db.webhookMessage.createMany({ data: rows.map((m) => ({ ...m, eventId, deliveryId, createdAt: m.nextAttemptAt })) })
    expect(config.webhooks.endpointsPerUser * config.webhooks.perEndpoint).toBeGreaterThan(config.webhooks.concurrency)
    services.webhooks.poke()
    await vi.waitFor(() => expect(quick.ids()).toEqual(['msg_fair_other']), { timeout: 4000 })
    // Posted while the hanging ones still hang: none of them had to finish to make room.
    expect(slow.replied).toBe(0)
    expect(slow.received.length).toBeLessThanOrEqual(config.webhooks.perUser)
    await db.webhookEndpoint.deleteMany({ where: { id: { in: hanging } } })
  })

  it('reads at most a share of each user’s due messages, so a few users’ backlogs cannot fill a read', async () => {
    const [a, b] = [await sendingSetup(), await sendingSetup()]
    const r = await receiver()
    const [first, second, other] = [await endpointFor(a, r, ['SENT']), await endpointFor(a, r, ['SENT']), await endpointFor(b, r, ['SENT'])]
    const { id: deliveryId } = await sent(a, 'wh-read-share')
    const { id: eventId } = await db.smsDeliveryEvent.findFirstOrThrow({ where: { deliveryId } })
    // Due half an hour from now, so the running outbox leaves them alone; read as of an hour from now.
    const later = (ms: number) => new Date(clock.now().getTime() + 1_800_000 + ms)
    const rows = [first, second].flatMap((endpointId, e) =>
      Array.from({ length: 3 }, (_, i) => ({ id: `msg_share_${e}_${i}`, endpointId, nextAttemptAt: later(e * 3 + i) })),
    )
    rows.push({ id: 'msg_share_other', endpointId: other, nextAttemptAt: later(100) })
    await db.webhookMessage.createMany({ data: rows.map((m) => ({ ...m, eventId, deliveryId, createdAt: m.nextAttemptAt })) })
    const due = await services.stores.webhooks.due(later(3_600_000), 4, { endpoint: 3, user: 3 })
    expect(due.map((m) => m.id)).toEqual(['msg_share_0_0', 'msg_share_0_1', 'msg_share_0_2', 'msg_share_other'])
    await db.webhookEndpoint.deleteMany({ where: { id: { in: [first, second, other] } } })
  })

  it('gives up on an endpoint that does not answer in time', async () => {
    const r = await receiver()
    r.delayMs = 2000
    const slow = await postJson(r.url, {}, '{}', { timeoutMs: 300, allowPrivate: true })
    expect(slow).toMatchObject({ statusCode: null, error: 'no answer within 300 ms' })
    expect(slow.latencyMs).toBeLessThan(1500)
  })
})
