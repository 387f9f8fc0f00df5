import type { Database, Statement } from 'better-sqlite3'

type Columns = ReturnType<Statement['columns']>

/**
 * One use of a cached statement with its own parameters: better-sqlite3's bind() fixes a
 * statement's parameters for good, so the view applies each use's own. A class, not an object of
 * closures: it is made for every statement run.
 */
class StatementUse {
  constructor(
    private readonly statement: Statement,
    private readonly columnsOf: (statement: Statement) => Columns,
    private readonly args: unknown[] = [],
  ) {}

  get reader(): boolean {
    return this.statement.reader
  }

  bind(args: unknown[]): StatementUse {
    return new StatementUse(this.statement, this.columnsOf, args)
  }

  run() {
    return this.statement.run(this.args)
  }

  columns(): Columns {
    return this.columnsOf(this.statement)
  }

  raw(): { all(): unknown[][] } {
    return this
  }

  all(): unknown[][] {
    return this.statement.raw(true).all(this.args) as unknown[][]
  }
}

/** `compute` remembered for each key object, for as long as the key lives. */
export function rememberedBy<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const known = new WeakMap<K, V>()
  return (key) => {
    if (known.has(key)) return known.get(key) as V
    const value = compute(key)
    known.set(key, value)
    return value
  }
}

/**
 * Prisma's better-sqlite3 adapter prepares every statement anew for each query, which costs about
 * as much as running it. This keeps one prepared statement per SQL text (oldest dropped past
 * `size`) and hands out a use of it per query. Safe because every use runs to completion synchronously.
 */
export function cachePreparedStatements(db: Database, size = 1000): void {
  const prepare = db.prepare.bind(db)
  const statements = new Map<string, Statement>()
  const prepared = (sql: string): Statement => {
    const known = statements.get(sql)
    if (known) return known
    const statement = prepare(sql)
    if (statements.size >= size) statements.delete(statements.keys().next().value as string)
    statements.set(sql, statement)
    return statement
  }
  // A statement's columns are fixed by its text and the schema (migrations run before the service
  // starts); better-sqlite3 builds them anew on every call, at a cost near a short query's.
  const columnsOf = rememberedBy((statement: Statement) => statement.columns())
  Object.assign(db, { prepare: (sql: string) => new StatementUse(prepared(sql), columnsOf) })
}
