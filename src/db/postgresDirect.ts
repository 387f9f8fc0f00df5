import { Prisma } from '../generated/prisma-pg/client.js'
import type { Adapter, AdapterConnection } from './adapters.js'
import type { Executor, Row, Sql } from './dialect.js'
import { executorOver, rowsFrom } from './executor.js'

type Queryable = Pick<Adapter, 'queryRaw' | 'executeRaw'>

// Every parameter is left for PostgreSQL to type from its place in the statement, as Prisma's raw
// queries do; the adapter still writes Dates as UTC timestamps.
const query = (sql: Sql) => ({
  sql: sql.text,
  args: sql.values,
  argTypes: sql.values.map(() => ({ scalarType: 'unknown' as const, arity: 'scalar' as const })),
})
const statement = (text: string) => query(Prisma.raw(text))

/**
 * Hot statements through the adapter Prisma's client holds (its pool, its type parsing and error
 * mapping, its statements counted), without the client's per-query work: Prisma's query
 * interpreter cost more than the statements themselves. Rows come back as the driver reads them
 * (timestamps as ISO text), which the stores' row parsing takes.
 */
export class PostgresDirect {
  constructor(
    private readonly connection: AdapterConnection,
    private readonly connect: () => Promise<void>,
  ) {}

  async query(sql: Sql): Promise<Row[]> {
    return rowsOf(await this.adapter(), sql)
  }

  async execute(sql: Sql): Promise<number> {
    return (await this.adapter()).executeRaw(query(sql))
  }

  /** Runs `work` in one transaction on one pooled connection; rolled back when it throws. */
  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    const tx = await (await this.adapter()).startTransaction()
    try {
      const done = await work(executorOver({ rows: (sql) => rowsOf(tx, sql), changes: (sql) => tx.executeRaw(query(sql)) }))
      await tx.executeRaw(statement('COMMIT'))
      await tx.commit()
      return done
    } catch (e) {
      await tx.executeRaw(statement('ROLLBACK')).catch(() => undefined)
      await tx.rollback()
      throw e
    }
  }

  private async adapter(): Promise<Adapter> {
    if (!this.connection.adapter) await this.connect()
    if (!this.connection.adapter) throw new Error('the PostgreSQL adapter is not connected')
    return this.connection.adapter
  }
}

async function rowsOf(q: Queryable, sql: Sql): Promise<Row[]> {
  const { columnNames, rows } = await q.queryRaw(query(sql))
  return rowsFrom(columnNames, rows)
}
