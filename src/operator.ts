import type { ParseArgsConfig } from 'node:util'
import { z } from 'zod'
import { generateApiKey, revokeApiKey } from './auth.js'
import { ApiKeyRole, SmsProvider } from './generated/prisma/enums.js'
import { resealSecrets } from './reseal.js'
import type { Services } from './services.js'
import { type LimitColumn, MAX_TEXT_LIMIT } from './stores/accounts.js'

const PROVIDERS = Object.values(SmsProvider)
const ROLES = Object.values(ApiKeyRole)

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

type Values = Record<string, string | boolean | undefined>
interface Command {
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  run(services: Services, values: Values, positionals: string[]): Promise<string[]>
}

const LIMIT_FLAGS = {
  'per-minute': 'textsPerMinute',
  'per-day': 'textsPerDay',
  'per-recipient-hour': 'recipientTextsPerHour',
  'per-recipient-day': 'recipientTextsPerDay',
} as const satisfies Record<string, LimitColumn>

async function userOf({ stores }: Services, who: string | undefined, usage: string) {
  if (!who) throw new Error(usage)
  const user = await stores.accounts.findUser(who)
  if (!user) throw new Error(`no user ${who}`)
  return user
}

/** A new key's lines: the key alone with --print-key (for scripts), else with how to keep it. */
const keyLines = (key: string, printKey: boolean, role: string, what: string) =>
  printKey ? [key] : [what, `${role} key (shown once, store it now): ${key}`]

/** The operator's commands (`npm run cli -- <command>`). Each returns the lines to print. */
export const COMMANDS: Record<string, Command> = {
  'create-user': {
    usage: 'create-user --email E [--name N] [--providers ATLAS,TWILIO] [--print-key]   creates a user and prints its OWNER key once',
    options: { email: { type: 'string' }, name: { type: 'string' }, providers: { type: 'string' }, 'print-key': { type: 'boolean' } },
    async run({ stores }, v) {
      if (typeof v.email !== 'string') throw new Error('create-user needs --email')
      // The same rule as createUser's input over GraphQL.
      if (!z.email().max(254).safeParse(v.email).success) throw new Error(`${v.email || '(empty)'} is not an email address`)
      const enabledProviders = typeof v.providers === 'string' ? parseProviderArg(v.providers) : ['ATLAS' as const]
      const { key, stored } = generateApiKey('owner', 'OWNER')
      const name = typeof v.name === 'string' ? v.name : null
      const { userId } = await stores.accounts.createUser({ email: v.email, name, enabledProviders, key: stored })
      return keyLines(key, v['print-key'] === true, 'OWNER', `user ${userId} created (${v.email})`)
    },
  },
  'list-users': {
    usage: 'list-users   every user: id, email, providers, keys',
    options: {},
    async run({ stores }) {
      const users = await stores.accounts.listUsers()
      if (users.length === 0) return ['no users']
      return users.map((u) => `${u.id}\t${u.email}\t${u.enabledProviders.join(',') || '-'}\t${u.keys} key(s)`)
    },
  },
  'set-providers': {
    usage: 'set-providers <userId|email> ATLAS,TWILIO   the providers a user may send through',
    options: {},
    async run(services, _v, [who, list]) {
      const usage = 'usage: set-providers <userId|email> ATLAS,TWILIO'
      const user = await userOf(services, who, usage)
      if (list === undefined) throw new Error(usage)
      const providers = parseProviderArg(list)
      await services.stores.accounts.setEnabledProviders(user.id, providers)
      return [`${user.email}: enabled providers ${providers.join(',') || '(none)'}`]
    },
  },
  'set-limits': {
    usage: `set-limits <userId|email> ${Object.keys(LIMIT_FLAGS)
      .map((f) => `[--${f} N|default]`)
      .join(' ')}   a user's text limits`,
    options: Object.fromEntries(Object.keys(LIMIT_FLAGS).map((f) => [f, { type: 'string' as const }])),
    async run(services, v, [who]) {
      const given = Object.entries(LIMIT_FLAGS).filter(([flag]) => v[flag] !== undefined)
      const user = await userOf(services, who, `usage: ${COMMANDS['set-limits']?.usage}`)
      if (given.length === 0) throw new Error(`usage: ${COMMANDS['set-limits']?.usage}`)
      const limits: Partial<Record<LimitColumn, number | null>> = {}
      for (const [flag, column] of given) {
        const value = String(v[flag])
        const valid = value === 'default' || (/^[1-9]\d{0,7}$/.test(value) && Number(value) <= MAX_TEXT_LIMIT)
        if (!valid) throw new Error(`--${flag} must be a whole number from 1 or "default"`)
        limits[column] = value === 'default' ? null : Number(value)
      }
      await services.stores.accounts.setLimits(user.id, limits)
      return [`${user.email}: ${given.map(([flag]) => `${flag} ${v[flag]}`).join(', ')}`]
    },
  },
  'create-key': {
    usage: 'create-key <userId|email> --role OWNER|AGENT|MONITOR [--name N] [--print-key]   a new API key, printed once',
    options: { role: { type: 'string' }, name: { type: 'string' }, 'print-key': { type: 'boolean' } },
    async run(services, v, [who]) {
      const user = await userOf(services, who, `usage: ${COMMANDS['create-key']?.usage}`)
      const role = String(v.role ?? '').toUpperCase() as ApiKeyRole
      if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`)
      const { key, stored } = generateApiKey(typeof v.name === 'string' ? v.name : role.toLowerCase(), role)
      const { id } = await services.stores.accounts.createKey(user.id, stored, services.config.limits.keysPerUser, services.clock.now())
      return keyLines(key, v['print-key'] === true, role, `key ${id} created for ${user.email}`)
    },
  },
  'list-keys': {
    usage: 'list-keys <userId|email>   a user’s keys: id, prefix, role, name, created, revoked',
    options: {},
    async run(services, _v, [who]) {
      const user = await userOf(services, who, `usage: ${COMMANDS['list-keys']?.usage}`)
      const keys = await services.stores.accounts.listKeys(user.id)
      return keys.map(
        (k) =>
          `${k.id}\t${k.prefix}…\t${k.role}\t${k.name}\t${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}`,
      )
    },
  },
  'revoke-key': {
    usage: 'revoke-key <keyId>   revokes a key at once (its requests are refused from now on)',
    options: {},
    async run(services, _v, [id]) {
      if (!id) throw new Error(`usage: ${COMMANDS['revoke-key']?.usage}`)
      // With Redis, running instances end the key's open subscriptions at once too.
      const outcome = await revokeApiKey(services, id)
      if (outcome === 'missing') throw new Error(`no key ${id}`)
      return [outcome === 'revoked' ? `key ${id} revoked` : `key ${id} was already revoked`]
    },
  },
  'reseal-secrets': {
    usage: 'reseal-secrets   seals every stored secret under ENCRYPTION_KEY (after a rotation: the old key in ENCRYPTION_KEY_PREVIOUS)',
    options: {},
    async run({ cipher, stores }) {
      const r = await resealSecrets(cipher, stores)
      const lines = [`${r.resealed} secret(s) sealed again under the current ENCRYPTION_KEY; ${r.current} already were`]
      if (r.changed) lines.push(`${r.changed} kept changing while they were resealed: run reseal-secrets again`)
      if (r.unreadable.length === 0 && r.changed === 0)
        return [...lines, 'every stored secret opens with ENCRYPTION_KEY alone: ENCRYPTION_KEY_PREVIOUS can go']
      if (r.unreadable.length === 0) return lines
      throw new Error(
        [...lines, `${r.unreadable.length} could not be opened with ENCRYPTION_KEY or ENCRYPTION_KEY_PREVIOUS:`, ...r.unreadable].join(
          '\n',
        ),
      )
    },
  },
}

export const USAGE = `usage: npm run cli -- <command> [options]\n\n${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}\n\n(npm run cli -- <command> --help shows one command)`

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
