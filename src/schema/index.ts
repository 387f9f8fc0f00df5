import { builder } from './builder.js'
import { describeGenerated } from './generated.js'
import './errors.js'
import './user.js'
import './smsAction.js'
import './delivery.js'
import './campaign.js'
import './send.js'
import './agent.js'
import './optOut.js'
import './stats.js'
import './webhook.js'

/** The executable GraphQL schema. */
export const schema = describeGenerated(builder.toSchema({ sortSchema: false }))
