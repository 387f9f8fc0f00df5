import { ConfigError, loadConfig } from './config.js'
import { operatorCommands } from './operator.js'
import { createServices } from './services.js'

const USAGE =
  'usage: npm run cli -- <command>\n  create-user --email E [--name N] [--providers ATLAS,TWILIO]\n  list-users\n  set-providers <userId|email> ATLAS,TWILIO\n  set-limits <userId|email> [--per-minute N] [--per-day N] [--per-recipient-hour N] [--per-recipient-day N]   (N or default)'

const [command, ...rest] = process.argv.slice(2)
const flags: Record<string, string> = {}
const positional: string[] = []
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i] as string
  if (arg.startsWith('--')) flags[arg.slice(2)] = rest[++i] ?? ''
  else positional.push(arg)
}

const run = command ? operatorCommands[command] : undefined
if (!run) {
  console.error(USAGE)
  process.exit(2)
}
try {
  const services = createServices(loadConfig())
  try {
    for (const line of await run(services, flags, positional)) console.log(line)
  } finally {
    await services.close()
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : (e as Error).message)
  process.exitCode = 1
}
