import { db } from '../db.js'
import type { RecipientPolicy, SmsProvider } from '../generated/prisma/enums.js'
import { parseProviders } from '../providers.js'
import { credentialsOf } from './credentials.js'

/** What a send needs to know of its action. */
export interface SendAction {
  id: string
  name: string
  enabled: boolean
  provider: SmsProvider
  fromNumber: string | null
  recipientPolicy: RecipientPolicy
  messageTemplate: string | null
  maxPerCall: number
}

/** Everything a send checks before it records anything, read in one statement. */
export interface SendContext {
  action: SendAction
  campaignFound: boolean
  attached: boolean
  enabledProviders: SmsProvider[]
  /** The user's Twilio credentials, decrypted, for a TWILIO action when they have an account. */
  twilio?: { accountSid: string; token: string }
  /** Those of `phones` that opted out of this action's sender. */
  optedOut: string[]
}

type Row = Omit<SendAction, 'enabled' | 'maxPerCall'> & {
  enabled: boolean | number
  maxPerCall: number | bigint
  enabledProviders: string
  accountSid: string | null
  authTokenEnc: string | null
  campaignId: string | null
  attachedId: string | null
  optedA: string | null
  optedB: string | null
}

/**
 * The action (owned, not deleted), whether the campaign exists and holds it, the user's providers
 * and Twilio credentials, and which of up to two candidate recipients opted out of the action's
 * sender: one round trip instead of six. Undefined when the action is not the user's.
 */
export async function loadSendContext(
  userId: string,
  actionId: string,
  campaignId: string,
  phones: [string, string],
): Promise<SendContext | undefined> {
  const [row] = await db.$queryRaw<Row[]>`
    SELECT a."id", a."name", a."enabled", a."provider", a."fromNumber", a."recipientPolicy", a."messageTemplate",
      a."maxPerCall", u."enabledProviders", t."accountSid", t."authTokenEnc",
      (SELECT c."id" FROM "Campaign" c WHERE c."id" = ${campaignId} AND c."userId" = ${userId}) AS "campaignId",
      (SELECT ca."smsActionId" FROM "CampaignSmsAction" ca
        WHERE ca."campaignId" = ${campaignId} AND ca."smsActionId" = a."id") AS "attachedId",
      (SELECT o."phone" FROM "OptOut" o WHERE o."userId" = u."id"
        AND o."sender" = COALESCE(a."fromNumber", 'ATLAS') AND o."phone" = ${phones[0]}) AS "optedA",
      (SELECT o."phone" FROM "OptOut" o WHERE o."userId" = u."id"
        AND o."sender" = COALESCE(a."fromNumber", 'ATLAS') AND o."phone" = ${phones[1]}) AS "optedB"
    FROM "SmsAction" a
    JOIN "User" u ON u."id" = a."userId"
    LEFT JOIN "TwilioAccount" t ON t."userId" = u."id"
    WHERE a."id" = ${actionId} AND a."userId" = ${userId} AND a."deletedAt" IS NULL`
  if (!row) return undefined
  return {
    action: {
      id: row.id,
      name: row.name,
      enabled: Boolean(row.enabled),
      provider: row.provider,
      fromNumber: row.fromNumber,
      recipientPolicy: row.recipientPolicy,
      messageTemplate: row.messageTemplate,
      maxPerCall: Number(row.maxPerCall),
    },
    campaignFound: row.campaignId !== null,
    attached: row.attachedId !== null,
    enabledProviders: parseProviders(row.enabledProviders),
    twilio:
      row.provider === 'TWILIO' && row.accountSid && row.authTokenEnc
        ? credentialsOf(userId, { accountSid: row.accountSid, authTokenEnc: row.authTokenEnc })
        : undefined,
    optedOut: [row.optedA, row.optedB].filter((p): p is string => p !== null),
  }
}
