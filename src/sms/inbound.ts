import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { OptOutsStore } from '../stores/optOuts.js'
import { type SignedForm, signedByPlatform } from './providers/twilio/callback.js'
import type { TwilioCredentialStore } from './providers/twilio/credentials.js'
import { ATLAS_SENDER } from './sender.js'
import { checkRecipient } from './sending/phone.js'

/** The path Twilio posts replies to (a number's or Messaging Service's incoming webhook). */
export const INBOUND_PATH = '/webhooks/twilio/inbound'

// Twilio's own opt-out and opt-in keywords (Advanced Opt-Out defaults), matched on the whole reply.
const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'])
const START = new Set(['START', 'YES', 'UNSTOP'])

/** What a reply means for consent: an opt-out, an opt-in, or nothing (anything else). */
export function keywordOf(body: string): 'STOP' | 'START' | undefined {
  const word = body
    .trim()
    .toUpperCase()
    .replace(/[.!]+$/, '')
  return STOP.has(word) ? 'STOP' : START.has(word) ? 'START' : undefined
}

/**
 * Replies to the texts: one-way, so a reply never reaches the agent, a subscriber or the database.
 * Only its keyword is acted on: STOP records an opt-out of that sender, START removes it.
 * Returns the HTTP status to answer.
 */
export class InboundReplies {
  constructor(
    private readonly deps: {
      optOuts: OptOutsStore
      credentials: TwilioCredentialStore
      config: Pick<Config, 'publicUrl' | 'atlas'>
      logger: Logger
    },
  ) {}

  async apply({ params, query, signature }: SignedForm): Promise<number> {
    const { optOuts, config, logger } = this.deps
    const from = params.From ? checkRecipient(params.From) : undefined
    if (!from?.ok || !params.To || !params.AccountSid || params.Body === undefined) return 400
    const url = `${config.publicUrl}${INBOUND_PATH}${query}`
    const atlas = config.atlas
    const viaAtlas = Boolean(atlas && params.AccountSid === atlas.accountSid)
    let users: string[] | undefined
    if (viaAtlas && atlas) {
      if (!signedByPlatform(atlas, signature, url, params)) return 403
    } else {
      users = await this.deps.credentials.signers(params.AccountSid, signature, url, params)
      if (users.length === 0) return 403
    }
    const keyword = keywordOf(params.Body)
    if (!keyword) return 200
    // Through the platform's service, the users are those who texted the number: looked up only for a keyword.
    users ??= await optOuts.usersWhoTextedThroughAtlas(from.e164)
    const sender = viaAtlas ? ATLAS_SENDER : params.To
    for (const userId of users) {
      if (keyword === 'STOP') await optOuts.record(userId, sender, from.e164, 'INBOUND_STOP')
      else await optOuts.remove(userId, sender, from.e164)
    }
    logger.info({ keyword, sender, phone: from.e164, users: users.length }, 'reply keyword recorded')
    return 200
  }

  /** The users of the Twilio account whose token signed the request. */
}
