import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js')

/** Runs Prisma's CLI on a DATABASE_URL (WebAssembly engine: the engine paths only need to exist); returns its output. */
export function runPrisma(args: string[], databaseUrl: string): string {
  return execFileSync(process.execPath, [prismaCli, ...args], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_SCHEMA_ENGINE_BINARY: 'package.json',
      PRISMA_QUERY_ENGINE_LIBRARY: 'package.json',
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
    stdio: 'pipe',
    encoding: 'utf8',
  })
}

/**
 * Applies the committed migrations (SQLite or PostgreSQL) with Prisma's own `migrate deploy`, and
 * answers in one line. Prisma's output (a warning that the schema's `url` is unused with a driver
 * adapter, which is expected here, and a tree of files) is shown only when it fails.
 */
export function applyMigrations(databaseUrl: string): string {
  try {
    const applied = [...runPrisma(['migrate', 'deploy'], databaseUrl).matchAll(/└─ (\d+_\w+)\//g)]
    return applied.length ? `Database migrated: ${applied.length} migration(s) applied.` : 'Database up to date.'
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string }
    throw new Error(`Database migrations failed:\n${stdout}${stderr}`)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(applyMigrations(process.env.DATABASE_URL || 'file:./data/sms.db'))
  } catch (e) {
    console.error((e as Error).message)
    process.exitCode = 1
  }
}
