import type { OnStatement } from '../db/adapters.js'
import { databaseKind } from '../db/url.js'
import type { Metrics } from '../metrics.js'
import type { Tracing } from './tracing.js'

/** Counts every statement, and gives each a span when tracing is on (the SQL, never its values). */
export function statementObserver(metrics: Metrics, tracing: Tracing, databaseUrl: string): OnStatement {
  if (!tracing.tracer) {
    return (_sql, run) => {
      metrics.dbQueries.inc()
      return run()
    }
  }
  const system = databaseKind(databaseUrl) === 'postgres' ? 'postgresql' : 'sqlite'
  return (sql, run) => {
    metrics.dbQueries.inc()
    const operation = operationOf(sql)
    return tracing.span(`db ${operation}`, { attributes: { 'db.system': system, 'db.statement': sql.slice(0, 2000) } }, () => run())
  }
}

/** The statement's verb; a WITH statement is named by its first query (`WITH moved AS (UPDATE …` is an UPDATE). */
export function operationOf(sql: string): string {
  const verb = /^\s*WITH\b/i.test(sql) ? /\bAS\s*(?:(?:NOT\s+)?MATERIALIZED\s*)?\(\s*(\w+)/i.exec(sql) : /^\s*(\w+)/.exec(sql)
  return verb?.[1]?.toUpperCase() ?? 'SQL'
}
