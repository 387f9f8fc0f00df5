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

export default defineConfig({
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
