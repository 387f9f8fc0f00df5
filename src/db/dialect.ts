import { Prisma, PrismaClient } from '../generated/prisma/client.js'
import { PrismaClient as PgPrismaClient } from '../generated/prisma-pg/client.js'
import { AdapterConnection, type OnStatement, postgresAdapter, SqliteConnection, sqliteAdapter } from './adapters.js'
import { PostgresDirect } from './postgresDirect.js'
import { SqliteDirect, type StatusWrite } from './sqliteDirect.js'
import { databaseKind, sqlitePath } from './url.js'

/** The Prisma client; both generated clients come from the same models, so their APIs are the same. */
export type Db = InstanceType<typeof PrismaClient>
export type Sql = Prisma.Sql
export type Row = Record<string, unknown>
/** What runs a statement: the client, or the transaction a caller opened. */
export type Executor = Pick<Db, '$queryRaw' | '$executeRaw'>

/**
 * What differs between SQLite and PostgreSQL, in one place: the driver, start-up settings, and
 * how a status change and its event are written as one atomic unit. Nothing else in the service
 * asks which engine it runs on.
 */
export interface Dialect {
  readonly kind: 'sqlite' | 'postgres'
  /** A Prisma client through the engine's driver adapter, reporting each statement. */
  connect(onStatement: OnStatement): Db
  /** Settings applied once at start. */
  prepare(db: Db): Promise<void>
  /**
   * Runs `update` (an UPDATE of at most one row, without RETURNING) and, only when it changed the
   * row, `insert` (an INSERT … SELECT without its FROM) and `fanOut` (an INSERT … SELECT … WHERE …),
   * atomically and without an interactive transaction. Returns the updated row as `reread` reads it
   * (none when it did not move) and how many rows `fanOut` added.
   */
  updateThenInsert(write: StatusWrite): Promise<{ rows: Row[]; fannedOut: number }>
  /** The rows `write` (an INSERT or UPDATE without RETURNING) changed, every column, as `reread` (a SELECT * by key) reads them after it, in `tx`. */
  written(tx: Executor, write: Sql, reread: Sql): Promise<Row[]>
  /** The rows of one statement outside any transaction, by the cheapest way the engine has. */
  read(sql: Sql): Promise<Row[]>
  /** Runs `work` in one transaction, its statements through the executor it is given. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>
  /** Runs one writing statement outside any transaction; the number of rows it changed. */
  write(sql: Sql): Promise<number>
  /** The whole tenths of a second from one timestamp to another (null when either is). */
  tenthsBetween(from: Sql, to: Sql): Sql
}

/** What `connect` built, for the statements the service runs beside Prisma's client. */
function connected<T>(direct: T | undefined): T {
  if (!direct) throw new Error('the database is not connected yet (Dialect.connect)')
  return direct
}

// The hot statements (every request's key, the send's reads and transaction, status changes) go to
// the driver Prisma's adapter holds (src/db/sqliteDirect.ts): through Prisma's client each cost more
// than the SQL itself.
const sqlite = (url: string): Dialect => {
  const connection = new SqliteConnection()
  let direct: SqliteDirect | undefined
  return {
    kind: 'sqlite',
    connect: (onStatement) => {
      const db = new PrismaClient({ adapter: sqliteAdapter(`file:${sqlitePath(url)}`, onStatement, connection) })
      direct = new SqliteDirect(connection, () => db.$connect(), onStatement)
      return db
    },
    // WAL: readers do not wait for the writer.
    prepare: async (db) => void (await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')),
    updateThenInsert: (write) => connected(direct).updateThenInsert(write),
    // SQLite's RETURNING costs two to three times the write it returns from (40 against 12 µs for a
    // status change, 50 against 15 µs for a new delivery, better-sqlite3 in one transaction); the
    // write and then a read by primary key cost less than the write with RETURNING.
    written: async (tx, write, reread) => ((await tx.$executeRaw(write)) ? tx.$queryRaw<Row[]>(reread) : []),
    read: (sql) => connected(direct).query(sql),
    write: (sql) => connected(direct).execute(sql),
    transaction: (work) => connected(direct).transaction(work),
    // Timestamps are stored as ISO-8601 text, which julianday() reads.
    // Whole milliseconds first: julianday's doubles put 2.05 s at 20.49998 tenths, which PostgreSQL rounds to 21.
    tenthsBetween: (from, to) => Prisma.sql`CAST(ROUND(ROUND((julianday(${to}) - julianday(${from})) * 86400000) / 100.0) AS INTEGER)`,
  }
}

const postgres = (url: string): Dialect => {
  const connection = new AdapterConnection()
  let direct: PostgresDirect | undefined
  return {
    kind: 'postgres',
    connect: (onStatement) => {
      const db = new PgPrismaClient({ adapter: postgresAdapter(url, onStatement, connection) }) as unknown as Db
      direct = new PostgresDirect(connection, () => db.$connect())
      return db
    },
    prepare: async () => undefined,
    // One statement: the inserts run only for the rows the update moved.
    updateThenInsert: async ({ update, insert, fanOut }) => {
      const rows = await connected(direct).query(Prisma.sql`WITH moved AS (${update} RETURNING *), logged AS (${insert} FROM moved),
        hooks AS (${fanOut} AND EXISTS (SELECT 1 FROM moved) RETURNING 1)
        SELECT moved.*, (SELECT COUNT(*) FROM hooks) AS "fannedOut" FROM moved`)
      return { rows, fannedOut: rows.length ? Number(rows[0]?.fannedOut) : 0 }
    },
    written: (tx, write) => tx.$queryRaw<Row[]>(Prisma.sql`${write} RETURNING *`),
    read: (sql) => connected(direct).query(sql),
    write: (sql) => connected(direct).execute(sql),
    transaction: (work) => connected(direct).transaction(work),
    tenthsBetween: (from, to) => Prisma.sql`CAST(ROUND(EXTRACT(EPOCH FROM (${to} - ${from})) * 10) AS INTEGER)`,
  }
}

/** The dialect of a DATABASE_URL (file: or postgres://). */
export function dialectFor(url: string): Dialect {
  return databaseKind(url) === 'postgres' ? postgres(url) : sqlite(url)
}

/**
 * An enum value as an SQL literal: PostgreSQL's enum columns take no text parameter, so enum
 * values are written inline, and only values of the enum get here.
 */
export function enumLiteral<T extends string>(value: T, allowed: readonly T[]): Sql {
  if (!allowed.includes(value)) throw new Error(`unexpected enum value ${value}`)
  return Prisma.raw(`'${value}'`)
}

export { Prisma }
