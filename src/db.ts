import { postgresAdapter, sqliteAdapter } from './adapters.js'
import { config } from './config.js'
import { databaseKind, sqlitePath } from './dburl.js'
import { PrismaClient } from './generated/prisma/client.js'
import { PrismaClient as PgPrismaClient } from './generated/prisma-pg/client.js'

export type Db = InstanceType<typeof PrismaClient>

/** Creates a Prisma client for a DATABASE_URL: SQLite (embedded default) or PostgreSQL. */
export function createDb(url: string): Db {
  if (databaseKind(url) === 'postgres') {
    // Both generated clients come from the same models, so their APIs are the same.
    return new PgPrismaClient({ adapter: postgresAdapter(url) }) as unknown as Db
  }
  return new PrismaClient({ adapter: sqliteAdapter(`file:${sqlitePath(url)}`) })
}

export const dbKind = databaseKind(config.databaseUrl)

/** The process-wide Prisma client. */
export const db = createDb(config.databaseUrl)

/** Connection settings that make SQLite behave under concurrent writers. */
export async function prepareDb(): Promise<void> {
  if (dbKind === 'sqlite') {
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  }
}

/** True for a unique-constraint violation (Prisma P2002), whatever the adapter. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  return err?.code === 'P2002' || /Unique constraint/i.test(err?.message ?? '')
}

/**
 * Interactive transactions wait longer than Prisma's defaults (2 s for a connection, 5 s in all):
 * under a burst, every send of a user queues on the same limit counter row.
 */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 20_000 }
