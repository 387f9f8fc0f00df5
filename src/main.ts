import { ConfigError, loadConfig, productionWarnings } from './config.js'
import { pendingMigrations } from './db/migrate.js'
import { buildApp } from './http/app.js'
import { firstRunHint } from './operator.js'
import { createServices } from './services.js'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (e) {
  if (!(e instanceof ConfigError)) throw e
  console.error(e.message)
  process.exit(1)
}
const services = createServices(config)
const pending = await pendingMigrations(services.db, services.dialect.kind).catch(
  async (e: Error & { code?: string; cause?: Error & { kind?: string } }) => {
    const why = [e.message, e.cause?.message, e.cause?.kind, e.code].find(Boolean) ?? String(e)
    console.error(`The database cannot be read: ${why.trim().split('\n').at(-1)}`)
    await services.close().catch(() => undefined)
    process.exit(1)
  },
)
if (pending.length) {
  console.error(`The database misses ${pending.length} migration(s): run \`npm run db:migrate\` first (\`npm start\` does).`)
  await services.close().catch(() => undefined)
  process.exit(1)
}
for (const warning of productionWarnings(config)) services.logger.warn(warning)
const app = buildApp(services)
await app.start()
await firstRunHint(services)

const shutdown = async (signal: string) => {
  services.logger.info({ signal }, 'shutting down')
  await app.stop()
  process.exit(0)
}
// Every signal is handled: the first starts the graceful stop, later ones wait for the same stop.
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
