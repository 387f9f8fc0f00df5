import { loadConfig } from '../../src/config.js'
import { buildApp } from '../../src/http/app.js'
import { createServices } from '../../src/services.js'
import type { Dispatcher } from '../../src/sms/delivery/dispatcher.js'

// The service as a process that crashes between storing a send and dispatching it: its dispatcher
// keeps what it is handed and never sends. A crash test kills it there.
const held: Dispatcher = {
  dispatch: async (delivery) => delivery,
  start: async () => 0,
  stop: async () => undefined,
  depth: async () => 0,
}
await buildApp(createServices(loadConfig(), { dispatcher: () => held })).start()
