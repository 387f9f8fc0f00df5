import { config } from '../config.js'
import { type Dispatcher, InProcessDispatcher } from './dispatcher.js'

/** The process's dispatcher: BullMQ through Redis when REDIS_URL is set, else in-process. */
export const dispatcher: Dispatcher = config.redisUrl ? new (await import('./queue.js')).BullDispatcher() : new InProcessDispatcher()
