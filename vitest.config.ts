import { defineConfig } from 'vitest/config'

// The same DB-backed suites run on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set.
const dbProject = (name: 'sqlite' | 'postgres') => ({
  extends: true as const,
  test: {
    name,
    include: ['test/*.test.ts'],
    env: { TEST_DB: name },
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
  },
})

if (!process.env.TEST_DATABASE_URL) {
  console.log('PostgreSQL suites skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them too.')
}

export default defineConfig({
  // graphql ships CJS and ESM builds; Node (and so every dependency) loads the CJS one, so the tests
  // must too, or two copies of graphql meet in one schema.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/*.test.ts'] } },
      dbProject('sqlite'),
      ...(process.env.TEST_DATABASE_URL ? [dbProject('postgres')] : []),
    ],
  },
})
