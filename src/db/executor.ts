import { Prisma } from '../generated/prisma/client.js'
import type { Executor, Row, Sql } from './dialect.js'

/** Rows as the drivers return them (column names, then arrays of values), as objects. */
export const rowsFrom = (names: string[], rows: unknown[][]): Row[] =>
  rows.map((values) => {
    const row: Row = {}
    for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i]
    return row
  })

/**
 * Prisma's raw-query API (tagged templates or Sql), as the stores' transactions use it, over a
 * driver's own way of reading the rows of a statement and of running one.
 */
export function executorOver(driver: { rows(sql: Sql): Row[] | Promise<Row[]>; changes(sql: Sql): number | Promise<number> }): Executor {
  const sqlOf = (q: TemplateStringsArray | Sql, values: unknown[]) =>
    Array.isArray(q) ? Prisma.sql(q as TemplateStringsArray, ...values) : (q as Sql)
  return {
    $queryRaw: async (q: TemplateStringsArray | Sql, ...values: unknown[]) => driver.rows(sqlOf(q, values)),
    $executeRaw: async (q: TemplateStringsArray | Sql, ...values: unknown[]) => driver.changes(sqlOf(q, values)),
  } as unknown as Executor
}
