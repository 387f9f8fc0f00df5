import { type Db, isUniqueViolation } from '../db/client.js'
import { AlreadyExistsError, NotFoundError } from '../errors.js'
import type { RecipientPolicy, SmsProvider } from '../generated/prisma/enums.js'
import { createWithinCap, tooMany } from './caps.js'

/** The settings of an action, as stored. */
export interface ActionSettings {
  name: string
  description: string
  provider: SmsProvider
  fromNumber: string | null
  recipientPolicy: RecipientPolicy
  messageTemplate: string | null
  maxPerCall: number
  requiresConsent: boolean
  enabled: boolean
}

const taken =
  (name: string) =>
  (e: unknown): never => {
    if (isUniqueViolation(e)) throw new AlreadyExistsError(`An SMS action named ${name} already exists`)
    throw e
  }

/** The SmsAction table. Names are unique among a user's live actions (liveName); deletion is soft. */
export function actionsStore(db: Db) {
  return {
    /** A live action of the user's; NOT_FOUND otherwise (a foreign id is never told apart). */
    async owned(userId: string, id: string) {
      const action = await db.smsAction.findFirst({ where: { id, userId, deletedAt: null } })
      if (!action) throw new NotFoundError('SMS action')
      return action
    },

    /** Creates an action while the user has fewer than `cap` live ones. */
    async create(userId: string, settings: ActionSettings, cap: number): Promise<{ id: string }> {
      return createWithinCap(
        db,
        userId,
        { cap, refusal: tooMany('SMS actions') },
        (tx) => tx.smsAction.count({ where: { userId, deletedAt: null } }),
        (tx) => tx.smsAction.create({ data: { userId, ...settings, liveName: settings.name }, select: { id: true } }),
      ).catch(taken(settings.name))
    },

    async update(id: string, settings: Partial<ActionSettings> & { name: string }): Promise<void> {
      await db.smsAction
        .update({ where: { id }, data: { ...settings, liveName: settings.name }, select: { id: true } })
        .catch(taken(settings.name))
    },

    /** Soft delete: past deliveries keep pointing at the action they were sent for; its name is freed. */
    async softDelete(id: string, at: Date): Promise<void> {
      await db.$transaction([
        db.campaignSmsAction.deleteMany({ where: { smsActionId: id } }),
        db.smsAction.update({ where: { id }, data: { deletedAt: at, liveName: null, enabled: false } }),
      ])
    },
  }
}

export type ActionsStore = ReturnType<typeof actionsStore>
