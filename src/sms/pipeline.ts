import { createHash } from 'node:crypto'
import { z } from 'zod'
import { config } from '../config.js'
import { db, isUniqueViolation, TX_OPTIONS } from '../db.js'
import { type ErrorCode, SendSmsError } from '../errors.js'
import type { SmsDelivery } from '../generated/prisma/client.js'
import { pubsub } from '../pubsub.js'
import { acceptedMessage, agentMessageFor } from './agentMessages.js'
import { type Slot, takeSlots, usedSlots } from './counters.js'
import type { Dispatcher } from './dispatcher.js'
import { checkRecipient, spokenNumber } from './phone.js'
import { loadSendContext, type SendAction, type SendContext } from './resolve.js'
import { MAX_BODY_CHARS, measure } from './segments.js'
import { insertDelivery, insertEvent, loadDelivery } from './status.js'
import { renderTemplate } from './template.js'
import { errorCodeOf } from './twilioErrors.js'

const Input = z.object({
  campaignId: z.string().min(1).max(64),
  smsActionId: z.string().min(1).max(64),
  call: z.object({ callId: z.string().trim().min(1).max(128), customerPhoneNumber: z.string().trim().min(1).max(40) }),
  to: z.string().trim().max(40).nullish(),
  body: z.string().max(20_000).nullish(),
  variables: z.record(z.string().max(64), z.union([z.string().max(1000), z.number(), z.boolean()])).nullish(),
  idempotencyKey: z.string().min(1).max(255).nullish(),
})
export type SendInput = z.input<typeof Input>
type Parsed = z.output<typeof Input>

/** What sendSms answers when it accepts: the delivery and the agent's sentence. */
export interface Accepted {
  deliveryId: string
  agentMessage: string
  /** The row as last written, when this request holds it. */
  delivery?: SmsDelivery
}

/** A composed text, ready to persist. */
interface Composed {
  to: string
  requestedTo: string | null
  body: string
  segments: number
  encoding: 'GSM7' | 'UCS2'
}

const refuse = (code: ErrorCode, message: string, agent?: string, deliveryId?: string) =>
  new SendSmsError(code, message, agentMessageFor(code, agent), deliveryId)

function parse(raw: SendInput): Parsed {
  const r = Input.safeParse(raw)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw refuse('VALIDATION', `${issue?.path.join('.')}: ${issue?.message}`)
}

/** A stable hash of what was asked, to tell a retry from a different request with the same key. */
function requestHash(i: Parsed): string {
  const vars = Object.entries(i.variables ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const canonical = [i.campaignId, i.smsActionId, i.call.callId, i.call.customerPhoneNumber, i.to ?? '', i.body ?? '', vars]
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}

/** The numbers compose() may pick (`to` or the caller), in E.164 ('' when unusable). */
function candidates(i: Parsed): [string, string] {
  const caller = i.call.customerPhoneNumber
  const e164 = (raw: string) => {
    const r = checkRecipient(raw, caller)
    return r.ok ? r.e164 : ''
  }
  return [e164(i.to || caller), e164(caller)]
}

/** The action and campaign, owned, attached, enabled, with a usable provider; or a refusal. */
async function resolveAction(userId: string, i: Parsed): Promise<SendContext> {
  const ctx = await loadSendContext(userId, i.smsActionId, i.campaignId, candidates(i))
  if (!ctx) throw refuse('NOT_FOUND', 'SMS action not found')
  const { action } = ctx
  if (!ctx.campaignFound) throw refuse('NOT_FOUND', 'Campaign not found')
  if (!ctx.attached) throw refuse('ACTION_NOT_ATTACHED', `${action.name} is not attached to this campaign`)
  if (!action.enabled) throw refuse('ACTION_DISABLED', `${action.name} is disabled`)
  if (!ctx.enabledProviders.includes(action.provider))
    throw refuse('PROVIDER_NOT_ENABLED', `${action.provider} is not enabled for this account`)
  if (action.provider === 'TWILIO' && !ctx.twilio) throw refuse('TWILIO_CREDENTIALS_MISSING', 'No Twilio credentials on the profile')
  return ctx
}

/** Recipient and body, checked and measured; a refusal carries what could be worked out. */
function compose(action: SendAction, i: Parsed): Composed | { refusal: SendSmsError; partial: Composed } {
  const caller = i.call.customerPhoneNumber
  const asked = action.recipientPolicy === 'ANY' ? i.to || caller : caller
  const requestedTo = action.recipientPolicy === 'CALLER_ONLY' && i.to && i.to !== caller ? i.to : null
  let body = (i.body ?? '').trim()
  let missing: string[] = []
  if (action.messageTemplate) ({ text: body, missing } = renderTemplate(action.messageTemplate, i.variables ?? {}))
  const size = measure(body)
  const partial = { to: asked, requestedTo, body, segments: size.segments, encoding: size.encoding }
  const recipient = checkRecipient(asked, caller)
  if (!recipient.ok) return { refusal: refuse(recipient.code, recipient.reason), partial }
  const composed = { ...partial, to: recipient.e164 }
  if (missing.length) {
    const names = missing.join(', ')
    return {
      refusal: refuse(
        'VALIDATION',
        `variables missing: ${names}`,
        `The message needs ${names}; get ${missing.length > 1 ? 'them' : 'it'} from the caller and try again.`,
      ),
      partial: composed,
    }
  }
  if (!body)
    return {
      refusal: refuse('VALIDATION', 'body is required', 'The message is empty; say what the text should contain and try again.'),
      partial: composed,
    }
  if (size.characters > MAX_BODY_CHARS)
    return { refusal: refuse('BODY_TOO_LONG', `body has ${size.characters} characters (max ${MAX_BODY_CHARS})`), partial: composed }
  return composed
}

const senderOf = (action: SendAction) => action.fromNumber ?? 'ATLAS'
const policy = {
  optedOut: (action: SendAction, to: string) => refuse('OPTED_OUT', `${to} opted out of texts from ${senderOf(action)}`),
  callLimit: (action: SendAction) => refuse('CALL_LIMIT_REACHED', `${action.name} already sent ${action.maxPerCall} text(s) on this call`),
  rate: () => refuse('RATE_LIMITED', `more than ${config.send.ratePerMinute} texts in a minute`),
}
const callKey = (action: SendAction, callId: string) => `call:${action.id}:${callId}`
const rateKey = (userId: string, now: Date) => `rate:${userId}:${Math.floor(now.getTime() / 60_000)}`
const DAY = 86_400_000

class LimitReached extends Error {
  constructor(readonly refusal: SendSmsError) {
    super(refusal.message)
  }
}

/** The outcome of a stored delivery, as sendSms reports it (also for idempotent replays). */
function outcomeFrom(d: SmsDelivery): Accepted {
  if (d.status === 'REJECTED' || d.status === 'FAILED') {
    const code = errorCodeOf(d.errorCode)
    throw refuse(code, d.errorMessage ?? code, undefined, d.id)
  }
  return { deliveryId: d.id, agentMessage: acceptedMessage(d.to, d.status, d.requestedTo !== null), delivery: d }
}
const outcomeOf = async (deliveryId: string) => {
  const d = await loadDelivery(deliveryId)
  if (!d) throw new Error(`delivery ${deliveryId} vanished`)
  return outcomeFrom(d)
}

async function replay(userId: string, i: Parsed, hash: string): Promise<Accepted | undefined> {
  if (!i.idempotencyKey) return undefined
  const existing = await db.smsDelivery.findUnique({
    where: { userId_callId_idempotencyKey: { userId, callId: i.call.callId, idempotencyKey: i.idempotencyKey } },
    select: { id: true, requestHash: true },
  })
  if (!existing) return undefined
  if (existing.requestHash !== hash)
    throw refuse('IDEMPOTENCY_CONFLICT', 'This idempotencyKey was used with a different request', undefined, existing.id)
  return outcomeOf(existing.id)
}

/** Runs the send: validates, records (PENDING, or REJECTED with the code), dispatches, waits briefly. */
export async function sendSms(userId: string, raw: SendInput, dispatcher: Dispatcher): Promise<Accepted> {
  const i = parse(raw)
  const hash = requestHash(i)
  const earlier = await replay(userId, i, hash)
  if (earlier) return earlier
  const ctx = await resolveAction(userId, i)
  const { action } = ctx
  const composed = compose(action, i)
  const base = {
    userId,
    smsActionId: action.id,
    campaignId: i.campaignId,
    callId: i.call.callId,
    provider: action.provider,
    fromNumber: action.fromNumber,
    idempotencyKey: i.idempotencyKey ?? null,
    requestHash: hash,
  }
  const record = async (status: 'PENDING' | 'REJECTED', c: Composed, refusal?: SendSmsError) => {
    const now = Date.now()
    const [call, rate]: [Slot, Slot] = [
      { key: callKey(action, i.call.callId), limit: action.maxPerCall, expiresAt: new Date(now + DAY) },
      { key: rateKey(userId, new Date(now)), limit: config.send.ratePerMinute, expiresAt: new Date(now + 120_000) },
    ]
    const written = await db.$transaction(async (tx) => {
      if (status === 'PENDING') {
        const full = await takeSlots([call, rate], tx)
        if (full.includes(call.key)) throw new LimitReached(policy.callLimit(action))
        if (full.length) throw new LimitReached(policy.rate())
      }
      const errorCode = refusal?.code ?? null
      const delivery = await insertDelivery(tx, { ...base, ...c, status, errorCode, errorMessage: refusal?.message ?? null })
      const event = await insertEvent(tx, { deliveryId: delivery.id, status, errorCode, source: 'API' }, delivery.createdAt)
      return { delivery, event }
    }, TX_OPTIONS)
    pubsub.publish('delivery:updated', written)
    return written.delivery
  }
  const reject = async (c: Composed, refusal: SendSmsError): Promise<Accepted> => {
    try {
      const d = await record('REJECTED', c, refusal)
      throw new SendSmsError(refusal.code, refusal.message, refusal.agentMessage, d.id)
    } catch (e) {
      const existing = isUniqueViolation(e) ? await replay(userId, i, hash) : undefined
      if (existing) return existing
      throw e
    }
  }
  if ('refusal' in composed) return reject(composed.partial, composed.refusal)
  if (ctx.optedOut.includes(composed.to)) return reject(composed, policy.optedOut(action, composed.to))
  let delivery: SmsDelivery
  try {
    delivery = await record('PENDING', composed)
  } catch (e) {
    if (e instanceof LimitReached) return reject(composed, e.refusal)
    if (isUniqueViolation(e)) {
      const existing = await replay(userId, i, hash)
      if (existing) return existing
    }
    throw e
  }
  const dispatched = dispatcher.enqueue(delivery.id, { delivery, twilio: ctx.twilio })
  let timer: ReturnType<typeof setTimeout> | undefined
  const latest = await Promise.race([
    dispatched,
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), config.send.waitMs)
    }),
  ])
  clearTimeout(timer)
  return latest ? outcomeFrom(latest) : outcomeOf(delivery.id)
}

/** What sendSms would do, without storing or sending anything. */
export async function previewSms(userId: string, raw: SendInput) {
  const i = parse(raw)
  const hash = requestHash(i)
  await replay(userId, i, hash)
  const { action, optedOut } = await resolveAction(userId, i)
  const c = compose(action, i)
  if ('refusal' in c) throw c.refusal
  if (optedOut.includes(c.to)) throw policy.optedOut(action, c.to)
  if ((await usedSlots(callKey(action, i.call.callId))) >= action.maxPerCall) throw policy.callLimit(action)
  if ((await usedSlots(rateKey(userId, new Date()))) >= config.send.ratePerMinute) throw policy.rate()
  const agentMessage = `This would text ${spokenNumber(c.to)}: ${c.segments} segment${c.segments === 1 ? '' : 's'}, ${c.encoding === 'GSM7' ? 'GSM-7' : 'Unicode'}.`
  return { ...c, provider: action.provider, agentMessage }
}
