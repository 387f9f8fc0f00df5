import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'sms-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
process.env.LOG_LEVEL = 'silent'
process.env.DATA_DIR = join(dir, 'data')
const { loadConfig, productionWarnings } = await import('../../src/config.js')

const base = { DATA_DIR: join(dir, 'data'), NODE_ENV: 'test' }
const problem = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env })
    return 'accepted'
  } catch (e) {
    return (e as Error).message
  }
}

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    const c = loadConfig(base)
    expect(c).toMatchObject({ port: 4000, host: '0.0.0.0', publicUrl: 'http://localhost:4000', databaseUrl: 'file:./data/sms.db' })
    expect(c.twilioApiBaseUrl).toBe('https://api.twilio.com')
    expect(c.redisUrl).toBeUndefined()
    expect(c.adminToken).toBeUndefined()
    expect(c.atlas).toBeUndefined()
  })

  it('names the variable in one clear message for each bad value', () => {
    expect(problem({ PORT: 'abc' })).toMatch(/^Invalid configuration: PORT /)
    expect(problem({ PORT: '70000' })).toMatch(/^Invalid configuration: PORT /)
    expect(problem({ PUBLIC_URL: 'not a url' })).toMatch(/^Invalid configuration: PUBLIC_URL /)
    // A host and port without a scheme parse as a URL of scheme "sms.example.com": every callback address would be unusable.
    for (const v of ['sms.example.com:443', 'localhost:4000', 'ftp://sms.example.com', 'https://sms.example.com/?a=1'])
      expect(problem({ PUBLIC_URL: v }), v).toMatch(/^Invalid configuration: PUBLIC_URL /)
    expect(problem({ TWILIO_API_BASE_URL: '127.0.0.1:9' })).toMatch(/TWILIO_API_BASE_URL/)
    expect(problem({ DATABASE_URL: 'mysql://x' })).toMatch(/^Invalid configuration: DATABASE_URL /)
    expect(problem({ REDIS_URL: 'nope' })).toMatch(/^Invalid configuration: REDIS_URL /)
    expect(problem({ ENCRYPTION_KEY: 'c2hvcnQ=' })).toMatch(/^Invalid configuration: ENCRYPTION_KEY must be 32 bytes/)
    expect(problem({ ENCRYPTION_KEY_PREVIOUS: `${Buffer.alloc(32).toString('base64')},c2hvcnQ=` })).toMatch(
      /^Invalid configuration: ENCRYPTION_KEY_PREVIOUS.* must be 32 bytes/,
    )
    expect(problem({ ENCRYPTION_KEY_PREVIOUS: 'c2hvcnQ=' })).not.toContain('c2hvcnQ=')
    expect(problem({ ADMIN_TOKEN: 'short' })).toMatch(/^Invalid configuration: ADMIN_TOKEN /)
    expect(problem({ ATLAS_TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` })).toMatch(/must be set together/)
    expect(problem({ NODE_ENV: 'production' })).toMatch(/ENCRYPTION_KEY is required in production/)
  })

  it('trims a trailing slash from URLs and treats empty values as unset', () => {
    const c = loadConfig({ ...base, PUBLIC_URL: 'https://sms.example.com/', PORT: '', TWILIO_API_BASE_URL: 'http://127.0.0.1:9/' })
    expect(c.publicUrl).toBe('https://sms.example.com')
    expect(c.port).toBe(4000)
    expect(c.twilioApiBaseUrl).toBe('http://127.0.0.1:9')
  })

  it('generates the development encryption key once, into the data folder', () => {
    const dataDir = join(dir, 'keys')
    const first = loadConfig({ DATA_DIR: dataDir }).encryptionKey
    expect(first.length).toBe(32)
    expect(loadConfig({ DATA_DIR: dataDir }).encryptionKey.equals(first)).toBe(true)
    expect(Buffer.from(readFileSync(join(dataDir, 'encryption.key'), 'utf8'), 'base64').equals(first)).toBe(true)
  })

  it('warns a production operator of Atlas as a sandbox and an open /metrics, and nobody else', () => {
    const production = { NODE_ENV: 'production', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }
    expect(productionWarnings(loadConfig({ ...base, ...production }))).toEqual([
      expect.stringMatching(/^ATLAS_\* are unset: Atlas runs as a sandbox/),
      expect.stringMatching(/^METRICS_TOKEN is unset/),
    ])
    const atlas = {
      ATLAS_TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      ATLAS_TWILIO_AUTH_TOKEN: '0'.repeat(32),
      ATLAS_MESSAGING_SERVICE_SID: `MG${'0'.repeat(32)}`,
      METRICS_TOKEN: 'm'.repeat(16),
    }
    expect(productionWarnings(loadConfig({ ...base, ...production, ...atlas }))).toEqual([])
    expect(productionWarnings(loadConfig(base))).toEqual([])
  })

  it('stops the server with that message and exit code 1', () => {
    const run = spawnSync('npx', ['tsx', 'src/main.ts'], {
      env: { ...process.env, ...base, PORT: 'abc' },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(run.status).toBe(1)
    expect(run.stderr.trim()).toBe('Invalid configuration: PORT Invalid input: expected number, received NaN')
  })
})
