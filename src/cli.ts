import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.js'
import { applyMigrations } from './db/migrate.js'
import { COMMANDS, USAGE } from './operator.js'
import { createServices } from './services.js'

// The operator's command line: `npm run cli -- <command> [options]` (`--help` for the list).
const [command, ...rest] = process.argv.slice(2)
const entry = command ? COMMANDS[command] : undefined
if (!entry || rest.includes('--help') || rest.includes('-h')) {
  const help = command === '--help' || command === '-h' || command === 'help' || (entry && rest.some((a) => a === '--help' || a === '-h'))
  ;(help ? console.log : console.error)(entry ? entry.usage : USAGE)
  process.exit(help ? 0 : 2)
}

try {
  const { values, positionals } = parseArgs({ args: rest, options: entry.options, allowPositionals: true, strict: true })
  const config = loadConfig()
  const services = createServices(config)
  try {
    if (!(await services.stores.accounts.hasTables())) {
      console.error('The database has no tables yet: applying migrations (as npm start does)…')
      try {
        console.error(applyMigrations(config.databaseUrl))
      } catch (e) {
        // `npm start` may be migrating the same database right now; what matters is that the tables exist.
        if (!(await services.stores.accounts.hasTables())) throw e
      }
    }
    for (const line of await entry.run(services, values as Record<string, string | boolean | undefined>, positionals)) console.log(line)
  } finally {
    await services.close()
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : (e as Error).message)
  process.exitCode = 1
}
