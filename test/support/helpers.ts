import { readFileSync } from 'node:fs'
import { afterAll } from 'vitest'
import { over, type Run, serviceClient } from '../../harness/client.js'
import type { Clock } from '../../src/clock.js'
import { loadConfig } from '../../src/config.js'
import { buildApp } from '../../src/http/app.js'
import { createServices } from '../../src/services.js'
import type { NewDelivery, SmsDelivery } from '../../src/stores/deliveries.js'

/** The time the service reads: the real time unless a test sets it. */
class TestClock implements Clock {
  private fixed?: Date
  now = () => this.fixed ?? new Date()
  /** Stops the clock at `at` (undefined: runs with the real time again). */
  set(at: Date | undefined) {
    this.fixed = at
  }
}

export const clock = new TestClock()
export const config = loadConfig()
/** The service under test, in-process: queries go through yoga.fetch; app.start() opens a real port. */
export const services = createServices(config, { clock })
export const app = buildApp(services, { port: 0, host: '127.0.0.1' })
export const db = services.db
export const twilio = globalThis.__twilio
export const adminToken = config.adminToken as string
afterAll(() => app.stop())

/** The service's operations, in-process (yoga.fetch). */
export const gql = over((url, init) => app.yoga.fetch(url, init))

/** The service's operations over a real socket, as a caller on the network meets them: starts the app on port 0. */
export async function overSocket(): Promise<Run> {
  await app.start()
  return over(fetch, app.url)
}
export const { mutate, createUser, createKey, withTwilio, sendingSetup } = serviceClient(gql, { adminToken, twilio })
export { type Json, PREVIEW, SEND, SET_CREDS } from '../../harness/client.js'

/** Everything the service logged so far in this test file. */
export function serviceLog(): string {
  return config.logFile ? readFileSync(config.logFile, 'utf8') : ''
}

/** A PENDING delivery no dispatcher holds: a copy of `like` on another call, without a key (with `other` fields, when given). */
export function pendingLike(like: SmsDelivery, callId: string, other: Partial<NewDelivery> = {}): Promise<SmsDelivery> {
  const { id, attempts, providerMessageId, deliveredAt, tenthsToDelivered, traceParent, createdAt, updatedAt, ...rest } = like
  const row = { ...rest, callId, idempotencyKey: null, status: 'PENDING' as const, errorCode: null, errorMessage: null, ...other }
  return services.status.create(row)
}
