import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { type Db, type Dialect, isMissingTable } from './client.js'

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

/**
 * The committed migrations the database has not applied: the server must not run on an older
 * schema (a missing column fails every send). All of them when it has no tables at all.
 */
export async function pendingMigrations(db: Db, kind: Dialect['kind']): Promise<string[]> {
  const folder = new URL(kind === 'postgres' ? '../../prisma/postgres/migrations/' : '../../prisma/migrations/', import.meta.url)
  const committed = readdirSync(folder).filter((name) => /^\d+_\w+$/.test(name))
  try {
    const applied = await db.$queryRaw<{ name: string }[]>`SELECT "migration_name" AS "name" FROM "_prisma_migrations"
      WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`
    const done = new Set(applied.map((m) => m.name))
    return committed.filter((name) => !done.has(name))
  } catch (e) {
    if (isMissingTable(e)) return committed
    throw e
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
