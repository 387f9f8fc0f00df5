import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, inject } from 'vitest'
import { createPostgresDatabase } from '../../harness/databases.js'
import { TwilioDouble } from '../../harness/twilio-double.js'

// Runs before each DB-backed test file, before it imports the service: a fresh database copied from
// the migrated template, a fresh data folder and log file, and a Twilio double of its own.
const dir = mkdtempSync(join(tmpdir(), 'sms-test-'))
let dropDatabase: (() => Promise<void>) | undefined

// 'own': the suite starts database servers of its own (test/faults).
if (process.env.TEST_DB === 'own') {
  delete process.env.DATABASE_URL
} else if (process.env.TEST_DB === 'postgres') {
  const template = inject('template')
  const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL as string, 'sms_t', template)
  process.env.DATABASE_URL = database.url
  dropDatabase = database.drop
} else {
  copyFileSync(inject('template'), join(dir, 'test.db'))
  process.env.DATABASE_URL = `file:${join(dir, 'test.db')}`
}

const twilio = await new TwilioDouble().start()
Object.assign(process.env, {
  NODE_ENV: 'test',
  DATA_DIR: join(dir, 'data'),
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  ADMIN_TOKEN: `admin-${randomBytes(12).toString('hex')}`,
  TWILIO_API_BASE_URL: twilio.url,
  TWILIO_TIMEOUT_MS: '5000',
  LOG_LEVEL: 'debug',
  LOG_FILE: join(dir, 'service.log'),
  // Suites send many texts and requests quickly; test/abuse*.test.ts set these limits low.
  KEY_REQUESTS_PER_SECOND: process.env.KEY_REQUESTS_PER_SECOND ?? '100000',
  USER_REQUESTS_PER_SECOND: process.env.USER_REQUESTS_PER_SECOND ?? '1000000',
  KEY_QUERY_COST_PER_SECOND: process.env.KEY_QUERY_COST_PER_SECOND ?? '100000000',
  RECIPIENT_TEXTS_PER_HOUR: process.env.RECIPIENT_TEXTS_PER_HOUR ?? '10000',
  RECIPIENT_TEXTS_PER_DAY: process.env.RECIPIENT_TEXTS_PER_DAY ?? '10000',
  USER_TEXTS_PER_DAY: process.env.USER_TEXTS_PER_DAY ?? '1000000',
  REFUSALS_RECORDED_PER_MINUTE: process.env.REFUSALS_RECORDED_PER_MINUTE ?? '100000',
  // Webhook receivers listen on loopback; retries come quickly (each instance wakes for its own),
  // and no periodic read of the outbox adds statements to the suites that count them.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_SCHEDULE_MS: process.env.WEBHOOK_RETRY_SCHEDULE_MS ?? '100,200,300',
  WEBHOOK_POLL_MS: '60000',
})
globalThis.__twilio = twilio

// Runs after the test file's own hooks (and the service's stop, registered by helpers.ts).
afterAll(async () => {
  await twilio.close()
  await dropDatabase?.()
  rmSync(dir, { recursive: true, force: true })
})

declare global {
  var __twilio: TwilioDouble
}
