import { InProcessDispatcher } from './dispatcher.js'

/** The process's dispatcher. */
export const dispatcher = new InProcessDispatcher()
