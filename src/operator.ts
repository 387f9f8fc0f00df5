import { generateApiKey } from './auth.js'
import { SmsProvider } from './generated/prisma/enums.js'
import type { Services } from './services.js'
import type { LimitColumn } from './stores/accounts.js'

const PROVIDERS = Object.values(SmsProvider)

/** Parses "ATLAS,TWILIO" into providers; throws on an unknown name. */
export function parseProviderArg(value: string): SmsProvider[] {
  const list = value
    .split(',')
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean)
  const bad = list.filter((p) => !PROVIDERS.includes(p as SmsProvider))
  if (bad.length) throw new Error(`Unknown provider ${bad.join(', ')} (use ${PROVIDERS.join(', ')})`)
  return list as SmsProvider[]
}

type Command = (services: Services, flags: Record<string, string>, positional: string[]) => Promise<string[]>

/** The operator's commands (`npm run cli`). Each returns the lines to print. */
export const operatorCommands: Record<string, Command> = {
  async 'create-user'({ stores }, args) {
    if (!args.email) throw new Error('create-user needs --email')
    const enabledProviders = args.providers ? parseProviderArg(args.providers) : ['ATLAS' as const]
    const { key, stored } = generateApiKey('owner', 'OWNER')
    const { userId } = await stores.accounts.createUser({ email: args.email, name: args.name ?? null, enabledProviders, key: stored })
    return [`user ${userId} created (${args.email})`, `OWNER key (shown once, store it now): ${key}`]
  },
  async 'list-users'({ stores }) {
    const users = await stores.accounts.listUsers()
    if (users.length === 0) return ['no users']
    return users.map((u) => `${u.id}\t${u.email}\t${u.enabledProviders.join(',') || '-'}\t${u.keys} key(s)`)
  },
  async 'set-providers'({ stores }, _args, positional) {
    const [who, list] = positional
    if (!who || list === undefined) throw new Error('usage: set-providers <userId|email> ATLAS,TWILIO')
    const user = await stores.accounts.findUser(who)
    if (!user) throw new Error(`no user ${who}`)
    const providers = parseProviderArg(list)
    await stores.accounts.setEnabledProviders(user.id, providers)
    return [`${user.email}: enabled providers ${providers.join(',') || '(none)'}`]
  },
  async 'set-limits'({ stores }, args, positional) {
    const [who] = positional
    const flags = {
      'per-minute': 'textsPerMinute',
      'per-day': 'textsPerDay',
      'per-recipient-hour': 'recipientTextsPerHour',
      'per-recipient-day': 'recipientTextsPerDay',
    } as const
    const given = Object.entries(flags).filter(([flag]) => args[flag] !== undefined)
    if (!who || given.length === 0)
      throw new Error(
        `usage: set-limits <userId|email> ${Object.keys(flags)
          .map((f) => `[--${f} N|default]`)
          .join(' ')}`,
      )
    const user = await stores.accounts.findUser(who)
    if (!user) throw new Error(`no user ${who}`)
    const limits: Partial<Record<LimitColumn, number | null>> = {}
    for (const [flag, column] of given) {
      const value = args[flag] as string
      if (value !== 'default' && !/^[1-9]\d{0,7}$/.test(value)) throw new Error(`--${flag} must be a whole number from 1 or "default"`)
      limits[column] = value === 'default' ? null : Number(value)
    }
    await stores.accounts.setLimits(user.id, limits)
    return [`${user.email}: ${given.map(([flag]) => `${flag} ${args[flag]}`).join(', ')}`]
  },
}

/** On a fresh embedded database in development, tells how to create the first user. */
export async function firstRunHint({ config, dialect, stores }: Services): Promise<void> {
  if (config.env !== 'development' || dialect.kind !== 'sqlite') return
  if ((await stores.accounts.countUsers()) > 0) return
  console.log(
    [
      '',
      `SMS Actions is running: GraphiQL at http://localhost:${config.port}/graphql`,
      'No users yet. Create the first one (prints its OWNER API key once):',
      '  npm run cli -- create-user --email you@example.com --name "Your Name"',
      '',
    ].join('\n'),
  )
}
