import { connect } from 'node:net'
import { defineConfig } from 'vitest/config'
import { canRunPostgres } from './harness/servers.js'

const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379'

/** Whether something answers on Redis' port (half a second at most). */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 500 })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

// The same DB-backed suites run on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set;
// the multi-instance suite needs PostgreSQL and Redis.
const dbProject = (name: string, db: 'sqlite' | 'postgres' | 'own', include: string[], env: Record<string, string> = {}) => ({
  extends: true as const,
  test: {
    name,
    include,
    env: { TEST_DB: db, ...env },
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
  },
})

export default defineConfig(async () => {
  const postgres = Boolean(process.env.TEST_DATABASE_URL)
  const redis = postgres && (await reachable(redisUrl))
  // Fault tests start (and stop) PostgreSQL and Redis servers of their own.
  const faults = redis && canRunPostgres()
  if (!postgres) console.log('PostgreSQL suites skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them too.')
  else if (!redis) console.log(`Multi-instance and fault suites skipped: no Redis at ${redisUrl} (set TEST_REDIS_URL).`)
  else if (!faults) console.log('Fault suite skipped: it needs PostgreSQL server programs (initdb) to start servers of its own.')
  return {
    // graphql ships CJS and ESM builds; Node (and so every dependency) loads the CJS one, so the tests
    // must too, or two copies of graphql meet in one schema.
    resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks' as const,
      projects: [
        { extends: true as const, test: { name: 'unit', include: ['test/unit/*.test.ts'] } },
        dbProject('sqlite', 'sqlite', ['test/*.test.ts']),
        ...(postgres ? [dbProject('postgres', 'postgres', ['test/*.test.ts'])] : []),
        ...(redis ? [dbProject('redis', 'postgres', ['test/redis/*.test.ts'], { TEST_REDIS_URL: redisUrl })] : []),
        ...(faults ? [dbProject('faults', 'own', ['test/faults/*.test.ts'])] : []),
      ],
    },
  }
})
