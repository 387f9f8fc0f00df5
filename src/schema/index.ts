import { builder } from './builder.js'
import './errors.js'
import './user.js'
import './smsAction.js'
import './delivery.js'
import './campaign.js'
import './send.js'
import './agent.js'

/** The executable GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: false })
