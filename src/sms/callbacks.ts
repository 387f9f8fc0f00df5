import type { IncomingMessage } from 'node:http'
import twilio from 'twilio'
import { config } from '../config.js'
import { db } from '../db.js'
import type { SmsDelivery } from '../generated/prisma/client.js'
import { logger } from '../logger.js'
import { userTwilioCredentials } from './credentials.js'
import { applyStatus } from './status.js'
import { statusFromTwilio, TWILIO_DELIVERY_ERRORS } from './twilioErrors.js'

/** The path of Twilio's status callbacks; the full URL Twilio signs is PUBLIC_URL + this. */
export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status'
const MAX_BODY = 64 * 1024
const SID = /^(SM|MM)[0-9a-fA-F]{32}$/

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Handles one Twilio status callback and returns the HTTP status to answer. The signature is
 * checked with the auth token of the account that sent the message, against the URL under
 * PUBLIC_URL (never the request's Host header, which proxies and tunnels rewrite).
 */
export async function handleStatusCallback(req: IncomingMessage, requestId: string): Promise<number> {
  if (req.method !== 'POST') return 405
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return 415
  const raw = await readBody(req)
  if (raw === undefined) return 413
  const params = Object.fromEntries(new URLSearchParams(raw))
  const sid = params.MessageSid ?? params.SmsSid
  const twilioStatus = params.MessageStatus ?? params.SmsStatus
  if (!sid || !SID.test(sid) || !twilioStatus) return 400
  const [delivery] = await db.$queryRaw<Pick<SmsDelivery, 'id' | 'userId' | 'provider'>[]>`
    SELECT "id", "userId", "provider" FROM "SmsDelivery" WHERE "providerMessageId" = ${sid}`
  if (!delivery) {
    logger.info({ requestId, sid, status: twilioStatus }, 'status callback for an unknown message acknowledged')
    return 200
  }
  const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : ''
  const url = `${config.publicUrl}${STATUS_CALLBACK_PATH}${query}`
  const signature = String(req.headers['x-twilio-signature'] ?? '')
  const verify = async (fresh: boolean) => {
    const account =
      delivery.provider === 'ATLAS'
        ? config.atlas && { accountSid: config.atlas.accountSid, token: config.atlas.authToken }
        : await userTwilioCredentials(delivery.userId, fresh)
    const valid = Boolean(account && signature && twilio.validateRequest(account.token, signature, url, params))
    return valid && (!params.AccountSid || params.AccountSid === account?.accountSid)
  }
  // Remembered credentials may predate a rotation: re-read them before refusing.
  if (!(await verify(false)) && (delivery.provider === 'ATLAS' || !(await verify(true)))) {
    logger.warn({ requestId, sid, deliveryId: delivery.id }, 'status callback refused: signature does not verify')
    return 403
  }
  const status = statusFromTwilio(twilioStatus)
  if (!status) return 200
  const errorCode = params.ErrorCode && params.ErrorCode !== '0' ? params.ErrorCode : undefined
  const failed = status === 'UNDELIVERED' || status === 'FAILED'
  await applyStatus(delivery.id, status, 'PROVIDER_CALLBACK', {
    ...(failed || errorCode
      ? {
          errorCode: errorCode ?? null,
          errorMessage: errorCode ? (TWILIO_DELIVERY_ERRORS[errorCode] ?? `Twilio error ${errorCode}`) : null,
        }
      : {}),
  })
  return 200
}
