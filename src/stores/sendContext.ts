import { z } from 'zod'
import { type Dialect, Prisma } from '../db/client.js'
import { bool, int, providerList } from '../db/rows.js'
import { RecipientPolicy, SmsProvider } from '../generated/prisma/enums.js'
import { ATLAS_SENDER } from '../sms/sender.js'
import type { ActionSettings } from './actions.js'

/** What a send needs to know of its action: its settings but the description. */
export type SendAction = { id: string } & Omit<ActionSettings, 'description'>

/** Limits the operator set for one user; null keeps the configured default. */
export interface UserLimits {
  perMinute: number | null
  perDay: number | null
  perRecipientHour: number | null
  perRecipientDay: number | null
}

/** Everything a send checks before it records anything, read in one statement. */
export interface SendContext {
  action: SendAction
  campaignFound: boolean
  attached: boolean
  enabledProviders: SmsProvider[]
  /** The limits the operator set for this user (null: the configured default). */
  limits: UserLimits
  /** The user's Twilio account, its token still encrypted, for a TWILIO action. */
  twilio?: { accountSid: string; authTokenEnc: string }
  /** Those of the candidate recipients that opted out of this action's sender. */
  optedOut: string[]
}

const maybe = z.string().nullable()
const Row = z.object({
  id: z.string(),
  name: z.string(),
  enabled: bool,
  provider: z.enum(SmsProvider),
  fromNumber: maybe,
  recipientPolicy: z.enum(RecipientPolicy),
  messageTemplate: maybe,
  maxPerCall: int,
  requiresConsent: bool,
  enabledProviders: z.string(),
  textsPerMinute: int.nullable(),
  textsPerDay: int.nullable(),
  recipientTextsPerHour: int.nullable(),
  recipientTextsPerDay: int.nullable(),
  accountSid: maybe,
  authTokenEnc: maybe,
  campaignId: maybe,
  attachedId: maybe,
  optedA: maybe,
  optedB: maybe,
})

/** The read that resolves a send: action, campaign, attachment, providers, credentials and opt-outs. */
export function sendContextStore(dialect: Dialect) {
  return {
    /**
     * The action (owned, not deleted), whether the campaign exists and holds it, the user's
     * providers and Twilio account, and which of two candidate recipients opted out of the action's
     * sender: one round trip instead of six. Undefined when the action is not the user's.
     */
    async load(userId: string, actionId: string, campaignId: string, phones: [string, string]): Promise<SendContext | undefined> {
      const [raw] = await dialect.read(Prisma.sql`
        SELECT a."id", a."name", a."enabled", a."provider", a."fromNumber", a."recipientPolicy", a."messageTemplate",
          a."maxPerCall", a."requiresConsent", u."enabledProviders", u."textsPerMinute", u."textsPerDay", u."recipientTextsPerHour",
          u."recipientTextsPerDay", t."accountSid", t."authTokenEnc",
          (SELECT c."id" FROM "Campaign" c WHERE c."id" = ${campaignId} AND c."userId" = ${userId}) AS "campaignId",
          (SELECT ca."smsActionId" FROM "CampaignSmsAction" ca
            WHERE ca."campaignId" = ${campaignId} AND ca."smsActionId" = a."id") AS "attachedId",
          (SELECT o."phone" FROM "OptOut" o WHERE o."userId" = u."id"
            AND o."sender" = COALESCE(a."fromNumber", ${ATLAS_SENDER}) AND o."phone" = ${phones[0]}) AS "optedA",
          (SELECT o."phone" FROM "OptOut" o WHERE o."userId" = u."id"
            AND o."sender" = COALESCE(a."fromNumber", ${ATLAS_SENDER}) AND o."phone" = ${phones[1]}) AS "optedB"
        FROM "SmsAction" a
        JOIN "User" u ON u."id" = a."userId"
        LEFT JOIN "TwilioAccount" t ON t."userId" = u."id"
        WHERE a."id" = ${actionId} AND a."userId" = ${userId} AND a."deletedAt" IS NULL`)
      if (!raw) return undefined
      const row = Row.parse(raw)
      const { id, name, enabled, provider, fromNumber, recipientPolicy, messageTemplate, maxPerCall, requiresConsent } = row
      return {
        action: { id, name, enabled, provider, fromNumber, recipientPolicy, messageTemplate, maxPerCall, requiresConsent },
        campaignFound: row.campaignId !== null,
        attached: row.attachedId !== null,
        enabledProviders: providerList.parse(row.enabledProviders),
        limits: {
          perMinute: row.textsPerMinute,
          perDay: row.textsPerDay,
          perRecipientHour: row.recipientTextsPerHour,
          perRecipientDay: row.recipientTextsPerDay,
        },
        twilio:
          provider === 'TWILIO' && row.accountSid && row.authTokenEnc
            ? { accountSid: row.accountSid, authTokenEnc: row.authTokenEnc }
            : undefined,
        optedOut: [row.optedA, row.optedB].filter((p): p is string => p !== null),
      }
    },
  }
}

export type SendContextStore = ReturnType<typeof sendContextStore>
