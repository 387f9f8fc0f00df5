import type { Db } from '../db/client.js'
import { NotFoundError } from '../errors.js'

/** The Campaign and CampaignSmsAction tables. */
export function campaignsStore(db: Db) {
  return {
    /** A campaign of the user's; NOT_FOUND otherwise. */
    async owned(userId: string, id: string): Promise<{ id: string }> {
      const campaign = await db.campaign.findFirst({ where: { id, userId }, select: { id: true } })
      if (!campaign) throw new NotFoundError('Campaign')
      return campaign
    },

    async create(userId: string, name: string): Promise<{ id: string }> {
      return db.campaign.create({ data: { userId, name }, select: { id: true } })
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
