import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { migrate } from '../harness/databases.js'
import { createCipher } from '../src/crypto.js'
import { resealSecrets } from '../src/reseal.js'
import { secretContext } from '../src/webhooks/attempts.js'
import { config, createUser, db, gql, mutate, services, withTwilio } from './support/helpers.js'

// Node with tsx's loader, as harness/process.ts starts the service: npx would add a second or so to each of
// the many calls here (the newcomer's own `npx tsx` is tested below).
const cliWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
const cli = (...args: string[]) => cliWith({}, ...args)
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
})

describe('operator CLI (npm run cli -- …)', () => {
  it('on a fresh embedded database in development, start-up tells how to create the first user', async () => {
    const url = `file:${join(dirname(config.logFile as string), 'fresh.db')}`
    migrate(url)
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: url, PORT: '0', LOG_FILE: '' },
    })
    children.push(server)
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no hint in: ${out}`)), 30_000)
      server.stdout?.on('data', (d) => {
        out += String(d)
        if (out.includes('create-user')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    expect(out).toContain('No users yet')
    expect(out).toContain('npm run cli -- create-user --email')
    server.kill('SIGTERM')
  })

  it('creates a user and prints a working OWNER key once', async () => {
    const r = cli('create-user', '--email', 'Ops@Example.com', '--name', 'Ops', '--providers', 'atlas,twilio')
    expect(r.status, r.stderr).toBe(0)
    const key = /OWNER key \(shown once, store it now\): (sk_\S+)/.exec(r.stdout)?.[1] as string
    expect(key).toBeTruthy()
    const viewer = await gql('{ viewer { email name enabledProviders } }', {}, key)
    expect(viewer.data.viewer).toEqual({ email: 'ops@example.com', name: 'Ops', enabledProviders: ['TWILIO', 'ATLAS'] })
    const again = cli('create-user', '--email', 'ops@example.com')
    expect(again.status).toBe(1)
    expect(again.stderr).toContain('already exists')
    for (const email of ['', 'not-an-email']) {
      const refused = cli('create-user', '--email', email)
      expect([refused.status, refused.stderr]).toEqual([1, expect.stringContaining('is not an email address')])
    }
  })

  it('lists users and sets their providers; bad input exits non-zero with a message', async () => {
    cli('create-user', '--email', 'list@example.com')
    const list = cli('list-users')
    expect(list.stdout).toMatch(/list@example\.com\tATLAS\t1 key\(s\)/)
    const set = cli('set-providers', 'list@example.com', 'TWILIO')
    expect(set.stdout).toContain('enabled providers TWILIO')
    expect((await db.user.findUniqueOrThrow({ where: { email: 'list@example.com' } })).enabledProviders).toBe('TWILIO')
    const bad = cli('set-providers', 'list@example.com', 'SMOKE')
    expect([bad.status, bad.stderr.trim()]).toEqual([1, 'Unknown provider SMOKE (use TWILIO, ATLAS)'])
    expect(cli('create-user').stderr).toContain('create-user needs --email')
    expect(cli('frobnicate').status).toBe(2)
  })

  it('sets a user’s text limits, and returns one to the default', async () => {
    cli('create-user', '--email', 'limits@example.com')
    expect(cli('set-limits', 'limits@example.com', '--per-day', '250', '--per-recipient-hour', 'default').stdout).toContain('per-day 250')
    expect(await db.user.findUniqueOrThrow({ where: { email: 'limits@example.com' } })).toMatchObject({
      textsPerDay: 250,
      recipientTextsPerHour: null,
    })
    const bad = cli('set-limits', 'limits@example.com', '--per-day', '0')
    expect([bad.status, bad.stderr.trim()]).toEqual([1, '--per-day must be a whole number from 1 or "default"'])
    // The API's bound holds for the CLI too.
    expect(cli('set-limits', 'limits@example.com', '--per-day', '10000001').status).toBe(1)
    expect(cli('set-limits', 'limits@example.com', '--per-day', '10000000').status).toBe(0)
  })

  it('reseals every stored secret under a new ENCRYPTION_KEY, opening the old ones with ENCRYPTION_KEY_PREVIOUS', async () => {
    const user = await createUser(['TWILIO'])
    const account = await withTwilio(user.key)
    const created = await mutate(
      'createWebhookEndpoint',
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
        ... on CreateWebhookEndpointSuccess { signingSecret webhookEndpoint { id } } ... on Error { code message } } }`,
      { input: { url: 'https://hooks.example.com/sms', eventTypes: ['DELIVERED'] } },
      user.key,
    )
    const endpointId = created.webhookEndpoint.id as string
    const [oldKey, newKey] = [process.env.ENCRYPTION_KEY as string, randomBytes(32).toString('base64')]
    const sealed = async () => ({
      token: (await db.twilioAccount.findUniqueOrThrow({ where: { userId: user.id } })).authTokenEnc,
      secret: (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).secret,
    })
    const opened = (key: string, s: { token: string; secret: string }) => {
      const cipher = createCipher(Buffer.from(key, 'base64'))
      return [cipher.open(s.token, user.id), cipher.open(s.secret, secretContext(endpointId))]
    }
    expect(opened(oldKey, await sealed())).toEqual([account.token, created.signingSecret])
    const rotated = { ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_PREVIOUS: oldKey }
    const first = await cliWith(rotated, 'reseal-secrets')
    expect(first.status, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^[1-9]\d* secret\(s\) sealed again under the current ENCRYPTION_KEY; 0 already were/)
    expect(first.stdout).toContain('ENCRYPTION_KEY_PREVIOUS can go')
    expect(opened(newKey, await sealed())).toEqual([account.token, created.signingSecret])
    expect(opened(oldKey, await sealed())).toEqual([undefined, undefined])
    const again = await cliWith({ ENCRYPTION_KEY: newKey }, 'reseal-secrets')
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/^0 secret\(s\) sealed again under the current ENCRYPTION_KEY; [1-9]\d* already were/)
    // Under a key that opens nothing: each value named (never shown), nothing changed, a failing exit.
    const before = await sealed()
    const lost = await cliWith({ ENCRYPTION_KEY: randomBytes(32).toString('base64') }, 'reseal-secrets')
    expect(lost.status).toBe(1)
    expect(lost.stderr).toContain(`the Twilio auth token of user ${user.id}`)
    expect(lost.stderr).toContain(`the signing secret of webhook endpoint ${endpointId}`)
    for (const plain of [account.token, created.signingSecret, newKey]) expect(lost.stdout + lost.stderr).not.toContain(plain)
    expect(await sealed()).toEqual(before)
  })

  it('reseals again a secret that an instance still on the old key rewrote meanwhile', async () => {
    const user = await createUser(['TWILIO'])
    const account = await withTwilio(user.key)
    const [oldKey, newKey] = [Buffer.from(process.env.ENCRYPTION_KEY as string, 'base64'), randomBytes(32)]
    const [oldCipher, rotated] = [createCipher(oldKey), createCipher(newKey, [oldKey])]
    const stored = async () => (await db.twilioAccount.findUniqueOrThrow({ where: { userId: user.id } })).authTokenEnc
    let raced = false
    const accounts = {
      ...services.stores.accounts,
      // Only this user's tokens: other tests' users are not this test's business.
      sealedTokens: async (after: string | undefined, limit: number) =>
        (await services.stores.accounts.sealedTokens(after, limit)).filter((t) => t.owner === user.id),
      async resealToken(userId: string, was: string, sealed: string) {
        if (!raced) {
          raced = true
          const { accountSid } = await db.twilioAccount.findUniqueOrThrow({ where: { userId } })
          await services.stores.accounts.saveTwilioAccount(
            userId,
            { accountSid, authTokenEnc: oldCipher.encrypt('rotated-token', userId) },
            new Date(),
          )
        }
        return services.stores.accounts.resealToken(userId, was, sealed)
      },
    }
    const noEndpoints = { ...services.stores.webhooks, sealedSecrets: async () => [] }
    const report = await resealSecrets(rotated, { accounts, webhooks: noEndpoints })
    expect(report).toEqual({ resealed: 1, current: 0, changed: 0, unreadable: [] })
    expect(createCipher(newKey).open(await stored(), user.id)).toBe('rotated-token')
    expect(account.token).not.toBe('rotated-token')
  })

  it('explains itself with --help', () => {
    const help = cli('--help')
    expect(help.status).toBe(0)
    for (const c of ['create-user', 'list-users', 'set-providers', 'set-limits', 'create-key', 'list-keys', 'revoke-key'])
      expect(help.stdout).toContain(c)
    expect(cli('create-key', '--help').stdout).toContain('--role OWNER|AGENT|MONITOR')
  })

  it('creates, lists and revokes API keys', async () => {
    cli('create-user', '--email', 'keys@example.com')
    const created = cli('create-key', 'keys@example.com', '--role', 'agent', '--name', 'runtime', '--print-key')
    expect(created.status, created.stderr).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{32}$/)
    expect((await gql('{ viewer { email } }', {}, key)).data.viewer.email).toBe('keys@example.com')
    const list = cli('list-keys', 'keys@example.com').stdout
    const line = list.split('\n').find((l) => l.includes('AGENT')) as string
    expect(line).toMatch(/\tAGENT\truntime\t.*\tactive$/)
    const id = line.split('\t')[0] as string
    expect(cli('revoke-key', id).stdout.trim()).toBe(`key ${id} revoked`)
    expect((await gql('{ viewer { email } }', {}, key)).errors[0].extensions.code).toBe('UNAUTHENTICATED')
    expect(cli('create-key', 'keys@example.com', '--role', 'ADMIN').stderr.trim()).toBe('--role must be one of OWNER, AGENT, MONITOR')
    expect(cli('create-key', 'keys@example.com', '--rol', 'AGENT').status).toBe(1)
  })

  it('works the moment it is typed on a fresh database: it applies the migrations first', () => {
    const url = `file:${join(dirname(config.logFile as string), 'cli-fresh.db')}`
    const r = spawnSync('npx', ['tsx', 'src/cli.ts', 'create-user', '--email', 'first@example.com'], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toContain('The database has no tables yet: applying migrations')
    expect(r.stderr).toMatch(/Database migrated: \d+ migration\(s\) applied\./)
    expect(r.stdout).toContain('created (first@example.com)')
  })
})
