import type { OnStatement } from './adapters.js'
import { type Db, type Dialect, dialectFor } from './dialect.js'

export { type Db, type Dialect, type Executor, Prisma, type Row, type Sql } from './dialect.js'

/** The database of a DATABASE_URL: its Prisma client and its dialect. */
export function createDatabase(url: string, onStatement: OnStatement = (_sql, run) => run()): { db: Db; dialect: Dialect } {
  const dialect = dialectFor(url)
  return { db: dialect.connect(onStatement), dialect }
}

/** True for a unique-constraint violation (Prisma's P2002, or the adapter's or driver's own), whatever the path. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string; cause?: { kind?: string } }
  return err?.code === 'P2002' || err?.cause?.kind === 'UniqueConstraintViolation' || /Unique constraint/i.test(err?.message ?? '')
}

/** True when a table is missing: the migrations have not been applied to this database. */
export function isMissingTable(e: unknown): boolean {
  const err = e as { code?: string; message?: string; cause?: { originalCode?: string } }
  return (
    err?.code === 'P2021' || err?.cause?.originalCode === '42P01' || /no such table|relation "\w+" does not exist/i.test(err?.message ?? '')
  )
}

// What a database that is restarting, unreachable or briefly saturated answers: PostgreSQL's
// admin shutdown / cannot connect now / connection exceptions / too many connections, Prisma's
// unreachable-server and timeout codes, the adapter's kinds of the same, socket errors, and SQLite's busy lock.
const TRANSIENT =
  /\b(57P0[123]|0800[0-6]|08P01|53300|P1001|P1002|P1008|P1017|P2024|P2028|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|SQLITE_BUSY|DatabaseNotReachable|ConnectionClosed|SocketTimeout|TooManyConnections)\b|Connection terminated|connection is closed|Can't reach database server|database is locked|terminating connection|timeout exceeded when trying to connect/i

/** True when an error means the database is briefly unavailable, so the same work may succeed later. */
export function isTransientDbError(e: unknown): boolean {
  for (let err = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 5; depth++) {
    if (TRANSIENT.test(`${String(err.code ?? '')} ${String(err.message ?? '')}`)) return true
    const cause = err.cause as { originalCode?: unknown; code?: unknown; message?: unknown } | undefined
    if (cause && TRANSIENT.test(String(cause.originalCode ?? ''))) return true
    err = cause as typeof err
  }
  return false
}
