import type { OnStatement } from './adapters.js'
import { type Db, type Dialect, dialectFor } from './dialect.js'

export { type Db, type Dialect, Prisma, type Row, type Sql } from './dialect.js'

/** What runs a statement: the client, or the transaction a caller opened. */
export type Executor = Pick<Db, '$queryRaw' | '$executeRaw'>

/** The database of a DATABASE_URL: its Prisma client and its dialect. */
export function createDatabase(url: string, onStatement: OnStatement = () => undefined): { db: Db; dialect: Dialect } {
  const dialect = dialectFor(url)
  return { db: dialect.connect(onStatement), dialect }
}

/**
 * Interactive transactions wait longer than Prisma's defaults (2 s for a connection, 5 s in all):
 * under a burst, every send of a user queues on the same limit counter row.
 */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 20_000 }

/** True for a unique-constraint violation (Prisma P2002), whatever the adapter. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  return err?.code === 'P2002' || /Unique constraint/i.test(err?.message ?? '')
}
