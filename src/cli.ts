import { db } from './db.js'
import { operatorCommands } from './operator.js'

const [command, ...rest] = process.argv.slice(2)
const flags: Record<string, string> = {}
const positional: string[] = []
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i] as string
  if (arg.startsWith('--')) flags[arg.slice(2)] = rest[++i] ?? ''
  else positional.push(arg)
}

const run = operatorCommands[command as keyof typeof operatorCommands]
if (!run) {
  console.error(
    'usage: npm run cli -- <command>\n  create-user --email E [--name N] [--providers ATLAS,TWILIO]\n  list-users\n  set-providers <userId|email> ATLAS,TWILIO',
  )
  process.exit(2)
}
try {
  for (const line of await run(flags, positional)) console.log(line)
} catch (e) {
  console.error((e as Error).message)
  process.exitCode = 1
} finally {
  await db.$disconnect()
}
