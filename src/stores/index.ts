import type { Db, Dialect } from '../db/client.js'
import { accountsStore } from './accounts.js'
import { actionsStore } from './actions.js'
import { campaignsStore } from './campaigns.js'
import { countersStore } from './counters.js'
import { deliveriesStore } from './deliveries.js'
import { deliveryPagesStore } from './deliveryPages.js'
import { optOutsStore } from './optOuts.js'
import { sendContextStore } from './sendContext.js'
import { statsStore } from './stats.js'
import { webhooksStore } from './webhooks.js'

/** One store per aggregate; each owns the statements of its tables. */
export function createStores(db: Db, dialect: Dialect) {
  return {
    accounts: accountsStore(db, dialect),
    actions: actionsStore(db),
    campaigns: campaignsStore(db),
    counters: countersStore(db),
    deliveries: deliveriesStore(db, dialect),
    deliveryPages: deliveryPagesStore(dialect),
    optOuts: optOutsStore(db),
    sendContext: sendContextStore(dialect),
    stats: statsStore(db),
    webhooks: webhooksStore(db),
  }
}

export type Stores = ReturnType<typeof createStores>
