import type { Db, Prisma } from '../db/client.js'
import { NotFoundError } from '../errors.js'
import { createWithinCap, tooMany } from './caps.js'

/**
 * What a campaign's agent may call: the delivery-status flag and the attached, live, enabled
 * actions, in the order attached. One selection, so the tools published to the LLM and the tools
 * a tool call is checked against are the same.
 */
export const CAMPAIGN_TOOLS = {
  deliveryStatusTool: true,
  smsActions: {
    where: { smsAction: { deletedAt: null, enabled: true } },
    orderBy: { createdAt: 'asc' },
    select: {
      smsAction: {
        select: { id: true, name: true, description: true, recipientPolicy: true, messageTemplate: true, requiresConsent: true },
      },
    },
  },
} as const satisfies Prisma.CampaignSelect

/** The Campaign and CampaignSmsAction tables. */
export function campaignsStore(db: Db) {
  return {
    /** A campaign of the user's; NOT_FOUND otherwise. */
    async owned(userId: string, id: string): Promise<{ id: string }> {
      const campaign = await db.campaign.findFirst({ where: { id, userId }, select: { id: true } })
      if (!campaign) throw new NotFoundError('Campaign')
      return campaign
    },

    /** Creates a campaign while the user has fewer than `cap`. */
    async create(userId: string, settings: { name: string; deliveryStatusTool: boolean }, cap: number): Promise<{ id: string }> {
      return createWithinCap(
        db,
        userId,
        { cap, refusal: tooMany('campaigns') },
        (tx) => tx.campaign.count({ where: { userId } }),
        (tx) => tx.campaign.create({ data: { userId, ...settings }, select: { id: true } }),
      )
    },

    async update(id: string, settings: { name?: string; deliveryStatusTool?: boolean }): Promise<void> {
      await db.campaign.update({ where: { id }, data: settings, select: { id: true } })
    },

    /** A campaign of the user's with the actions its agent may call (attached, live, enabled); undefined when not the user's. */
    async tools(userId: string, id: string) {
      return db.campaign.findFirst({
        where: { id, userId },
        select: { id: true, ...CAMPAIGN_TOOLS },
      })
    },

    /** The id of the campaign's attached action named `name` that is switched off, if any (a tool the agent may still hold). */
    async disabledTool(campaignId: string, name: string): Promise<string | undefined> {
      const link = await db.campaignSmsAction.findFirst({
        where: { campaignId, smsAction: { name, enabled: false, deletedAt: null } },
        select: { smsActionId: true },
      })
      return link?.smsActionId
    },

    /** Attaches an action (idempotent). */
    async attach(campaignId: string, smsActionId: string): Promise<void> {
      const key = { campaignId, smsActionId }
      await db.campaignSmsAction.upsert({ where: { campaignId_smsActionId: key }, create: key, update: {} })
    },

    /** Detaches an action (idempotent). */
    async detach(campaignId: string, smsActionId: string): Promise<void> {
      await db.campaignSmsAction.deleteMany({ where: { campaignId, smsActionId } })
    },
  }
}

export type CampaignsStore = ReturnType<typeof campaignsStore>
