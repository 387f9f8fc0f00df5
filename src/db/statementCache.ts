import type { Database, Statement } from 'better-sqlite3'

/**
 * Prisma's better-sqlite3 adapter prepares every statement anew for each query, which costs about
 * as much as running it. This keeps one prepared statement per SQL text (oldest dropped past
 * `size`) and hands out a view per use: better-sqlite3's bind() fixes a statement's parameters for
 * good, so the view applies each use's own. Safe because every use runs to completion synchronously.
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
  const use = (statement: Statement, args: unknown[]) => ({
    reader: statement.reader,
    run: () => statement.run(args),
    columns: () => statement.columns(),
    raw: () => ({ all: () => statement.raw(true).all(args) }),
  })
  Object.assign(db, {
    prepare: (sql: string) => {
      const statement = prepared(sql)
      return { ...use(statement, []), bind: (args: unknown[]) => use(statement, args) }
    },
  })
}
