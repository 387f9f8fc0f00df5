import { config } from './config.js'
import { db, dbKind } from './db.js'
import type { SmsProvider } from './generated/prisma/enums.js'
import { formatProviders, PROVIDERS, parseProviders } from './providers.js'
import { createUserWithOwnerKey } from './users.js'

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

/** The operator's commands, shared by `npm run cli`. Each returns the lines to print. */
export const operatorCommands = {
  async 'create-user'(args: Record<string, string>) {
    if (!args.email) throw new Error('create-user needs --email')
    const providers = args.providers ? parseProviderArg(args.providers) : undefined
    const { userId, key } = await createUserWithOwnerKey({ email: args.email, name: args.name, enabledProviders: providers })
    return [`user ${userId} created (${args.email})`, `OWNER key (shown once, store it now): ${key}`]
  },
  async 'list-users'() {
    const users = await db.user.findMany({ orderBy: { createdAt: 'asc' }, include: { _count: { select: { apiKeys: true } } } })
    if (users.length === 0) return ['no users']
    return users.map((u) => `${u.id}\t${u.email}\t${parseProviders(u.enabledProviders).join(',') || '-'}\t${u._count.apiKeys} key(s)`)
  },
  async 'set-providers'(_args: Record<string, string>, positional: string[]) {
    const [who, list] = positional
    if (!who || list === undefined) throw new Error('usage: set-providers <userId|email> ATLAS,TWILIO')
    const user = await db.user.findFirst({ where: { OR: [{ id: who }, { email: who.toLowerCase() }] } })
    if (!user) throw new Error(`no user ${who}`)
    const providers = parseProviderArg(list)
    await db.user.update({ where: { id: user.id }, data: { enabledProviders: formatProviders(providers) } })
    return [`${user.email}: enabled providers ${providers.join(',') || '(none)'}`]
  },
}

/** On a fresh embedded database in development, tells how to create the first user. */
export async function firstRunHint(): Promise<void> {
  if (config.env !== 'development' || dbKind !== 'sqlite') return
  if ((await db.user.count()) > 0) return
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
