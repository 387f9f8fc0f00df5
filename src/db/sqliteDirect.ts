import type { Database } from 'better-sqlite3'
import type { OnStatement, SqliteConnection } from './adapters.js'
import type { Executor, Row, Sql } from './dialect.js'
import { executorOver, rowsFrom } from './executor.js'
import { rememberedBy } from './statementCache.js'

/** The parts of a prepared statement used here (the statement cache hands out views with these). */
interface Prepared {
  run(): { changes: number }
  columns(): { name: string }[]
  raw(): { all(): unknown[][] }
}
type Bindable = { bind(values: unknown[]): Prepared }

/** A status change as the dialect writes it: the update, then its event and webhook messages when it moved. */
export interface StatusWrite {
  update: Sql
  /** Reads the updated row back (see Dialect.written). */
  reread: Sql
  insert: Sql
  fanOut: Sql
}
type Outcome = { written?: { rows: Row[]; fannedOut: number }; error?: unknown }
interface Pending extends StatusWrite {
  resolve(written: { rows: Row[]; fannedOut: number }): void
  reject(e: unknown): void
}

// Prisma's adapter stores timestamps as ISO-8601 text with an explicit offset, booleans as 0/1;
// the same forms keep comparisons between rows written either way right.
const bound = (v: unknown) => (v instanceof Date ? v.toISOString().replace('Z', '+00:00') : typeof v === 'boolean' ? Number(v) : v)

// Column names by the (cached, so lasting) columns array of a prepared statement.
const namesOf = rememberedBy((columns: { name: string }[]) => columns.map((c) => c.name))

/** Most status changes one transaction commits: a long batch would hold the event loop. */
const BATCH = 200

/**
 * Hot statements run on the better-sqlite3 connection Prisma's adapter holds, without Prisma's
 * per-query work, under the same lock (so never inside a Prisma transaction). Status changes
 * arriving together are committed together (group commit): one failing is undone alone and
 * fails alone; none is answered before the commit.
 */
export class SqliteDirect {
  private pending: Pending[] = []

  constructor(
    private readonly connection: SqliteConnection,
    private readonly connect: () => Promise<void>,
    private readonly onStatement: OnStatement,
  ) {}

  /** The rows of one statement. */
  query(sql: Sql): Promise<Row[]> {
    return this.locked([sql.sql], (client) => this.rows(client, sql))
  }

  /** Runs one writing statement; the number of rows it changed. */
  execute(sql: Sql): Promise<number> {
    return this.locked([sql.sql], (client) => this.statement(client, sql).run().changes)
  }

  /** Runs `work` in one transaction, its statements on the driver through the executor it is given. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return this.committed((client, ran) => {
      const noted = (sql: Sql) => {
        ran.push(sql.sql)
        return sql
      }
      return work(
        executorOver({
          rows: (sql) => this.rows(client, noted(sql)),
          changes: (sql) => this.statement(client, noted(sql)).run().changes,
        }),
      )
    })
  }

  /** Writes a status change (see Dialect.updateThenInsert), committed with the others pending. */
  updateThenInsert(write: StatusWrite): Promise<{ rows: Row[]; fannedOut: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...write, resolve, reject })
      if (this.pending.length === 1) setImmediate(() => void this.flush())
    })
  }

  /** Commits the changes pending once the lock is held (those that arrived meanwhile too), then answers each. */
  private async flush(): Promise<void> {
    let batch: Pending[] | undefined
    try {
      const outcomes = await this.committed((client, ran) => {
        batch = this.pending.splice(0, BATCH)
        if (this.pending.length) setImmediate(() => void this.flush())
        return this.changes(client, batch, ran)
      })
      batch?.forEach((p, i) => {
        const outcome = outcomes[i] as Outcome
        if (outcome.written) p.resolve(outcome.written)
        else p.reject(outcome.error)
      })
    } catch (e) {
      for (const p of batch ?? this.pending.splice(0)) p.reject(e)
    }
  }

  /**
   * The batch's changes, all under one savepoint; when one fails, that savepoint is undone and
   * each change is run again under a savepoint of its own, so the failing one fails alone.
   */
  private changes(client: Database, batch: Pending[], ran: string[]): Outcome[] {
    const each = () => batch.map((p) => this.underSavepoint(client, 'status_change', () => this.change(client, p, ran)))
    if (batch.length === 1) return each()
    const together = this.underSavepoint(client, 'status_changes', () => batch.map((p) => this.change(client, p, ran)))
    return together.error ? each() : (together.written as { rows: Row[]; fannedOut: number }[]).map((written) => ({ written }))
  }

  private change(client: Database, p: Pending, ran: string[]) {
    const moved = this.statement(client, p.update).run().changes
    ran.push(p.update.sql)
    if (moved !== 1) return { rows: [], fannedOut: 0 }
    const rows = this.rows(client, p.reread)
    this.statement(client, p.insert).run()
    const fannedOut = this.statement(client, p.fanOut).run().changes
    ran.push(p.reread.sql, p.insert.sql, p.fanOut.sql)
    return { rows, fannedOut }
  }

  /** `work` under a savepoint: kept when it returns, undone when it throws. */
  private underSavepoint<T>(client: Database, name: string, work: () => T): { written?: T; error?: unknown } {
    this.run(client, `SAVEPOINT ${name}`)
    try {
      const written = work()
      this.run(client, `RELEASE ${name}`)
      return { written }
    } catch (error) {
      this.run(client, `ROLLBACK TO ${name}`)
      this.run(client, `RELEASE ${name}`)
      return { error }
    }
  }

  /**
   * `work` in one transaction (BEGIN IMMEDIATE: it writes), rolled back when it throws; `ran`
   * collects the statements run, reported once the lock is released.
   */
  private committed<T>(work: (client: Database, ran: string[]) => T | Promise<T>): Promise<T> {
    const ran: string[] = []
    return this.locked(ran, async (client) => {
      this.run(client, 'BEGIN IMMEDIATE')
      ran.push('BEGIN')
      try {
        const done = await work(client, ran)
        this.run(client, 'COMMIT')
        ran.push('COMMIT')
        return done
      } catch (e) {
        this.rollback(client)
        throw e
      }
    })
  }

  /** `work` with the connection's lock held; then the statements in `ran` are reported. */
  private async locked<T>(ran: string[], work: (client: Database) => T | Promise<T>): Promise<T> {
    const client = await this.client()
    const release = await this.connection.lock.acquire()
    try {
      return await work(client)
    } finally {
      release()
      for (const sql of ran) void this.onStatement(sql, async () => undefined)
    }
  }

  private statement(client: Database, sql: Sql): Prepared {
    return (client.prepare(sql.sql) as unknown as Bindable).bind(sql.values.map(bound))
  }

  private rows(client: Database, sql: Sql): Row[] {
    const statement = this.statement(client, sql)
    return rowsFrom(namesOf(statement.columns()), statement.raw().all())
  }

  /** Undoes an open transaction; a failure to do so leaves the first error the one reported. */
  private rollback(client: Database) {
    try {
      if (client.inTransaction) this.run(client, 'ROLLBACK')
    } catch {
      // The connection is already failing; the caller reports why.
    }
  }

  private run(client: Database, sql: string) {
    ;(client.prepare(sql) as unknown as Prepared).run()
  }

  private async client(): Promise<Database> {
    if (!this.connection.client?.open) await this.connect()
    if (!this.connection.client) throw new Error('the SQLite connection is not open')
    return this.connection.client
  }
}
