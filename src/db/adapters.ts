import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import type { Database } from 'better-sqlite3'
import { cachePreparedStatements } from './statementCache.js'

type Factory = PrismaBetterSQLite3 | PrismaPg
export type Adapter = Awaited<ReturnType<Factory['connect']>>
type Tx = Awaited<ReturnType<Adapter['startTransaction']>>
type Queryable = Pick<Adapter, 'queryRaw' | 'executeRaw'>

/** A FIFO lock: `acquire` resolves with the function that releases it. */
export class Lock {
  private tail: Promise<void> = Promise.resolve()

  acquire(): Promise<() => void> {
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    const before = this.tail
    this.tail = before.then(() => held)
    return before.then(() => release)
  }
}

/**
 * Called once per SQL statement sent (cheaper than Prisma's query event, which formats every
 * query), with the statement's SQL and its run: it may wrap the run (a trace span).
 */
export type OnStatement = <T>(sql: string, run: () => Promise<T>) => Promise<T>

/** `q` with its statements reported to `onStatement`. */
function counted<Q extends Queryable>(q: Q, onStatement: OnStatement, around = <T>(run: () => Promise<T>) => run()): Q {
  return Object.assign(Object.create(q) as Q, {
    queryRaw: (query: Parameters<Q['queryRaw']>[0]) => onStatement(query.sql, () => around(() => q.queryRaw(query))),
    executeRaw: (query: Parameters<Q['executeRaw']>[0]) => onStatement(query.sql, () => around(() => q.executeRaw(query))),
  })
}

/**
 * Counts statements; on SQLite also keeps transactions isolated. The better-sqlite3 adapter runs
 * every query on one connection and only makes transactions wait for each other: a query outside
 * a transaction runs inside whichever one is open, reads its uncommitted rows and is undone by its
 * rollback. Here such queries wait until the open transaction ends.
 */
function wrap(adapter: Adapter, serialize: boolean, onStatement: OnStatement, lock = new Lock()): Adapter {
  const around = async <T>(run: () => Promise<T>): Promise<T> => {
    if (!serialize) return run()
    const release = await lock.acquire()
    try {
      return await run()
    } finally {
      release()
    }
  }
  const startTransaction: Adapter['startTransaction'] = async (isolationLevel) => {
    const release = serialize ? await lock.acquire() : () => undefined
    let tx: Tx
    try {
      tx = await adapter.startTransaction(isolationLevel)
    } catch (e) {
      release()
      throw e
    }
    const end = (finish: () => Promise<void>) => () => finish().finally(release)
    return Object.assign(counted(tx, onStatement), { commit: end(() => tx.commit()), rollback: end(() => tx.rollback()) })
  }
  return Object.assign(counted(adapter, onStatement, around), {
    executeScript: (script: string) => around(() => adapter.executeScript(script)),
    startTransaction,
  })
}

function wrapped<F extends Factory>(
  factory: F,
  serialize: boolean,
  onStatement: OnStatement,
  connection: { adapter?: Adapter; lock?: Lock },
  prepared: (adapter: Adapter) => void = () => undefined,
): F {
  const connect = factory.connect.bind(factory)
  return Object.assign(factory, {
    connect: async () => {
      const adapter = await connect()
      prepared(adapter)
      connection.adapter = wrap(adapter, serialize, onStatement, connection.lock)
      return connection.adapter
    },
  })
}

/** The adapter Prisma connected (with its statements counted), for the service's own statements. */
export class AdapterConnection {
  adapter?: Adapter
}

/**
 * The better-sqlite3 connection Prisma's adapter holds (once Prisma has connected), and the lock
 * its queries and transactions take: the service's own statements on that connection take it too.
 */
export class SqliteConnection extends AdapterConnection {
  readonly lock = new Lock()
  client?: Database
}

/** The Prisma SQLite adapter on `connection`, with isolated transactions and counted statements. */
export const sqliteAdapter = (url: string, onStatement: OnStatement, connection: SqliteConnection) =>
  wrapped(new PrismaBetterSQLite3({ url, timeout: 10_000 }), true, onStatement, connection, (adapter) => {
    connection.client = (adapter as unknown as { client: Database }).client
    cachePreparedStatements(connection.client)
  })

/**
 * A server that takes the connection and never answers (a network that drops packets) fails the
 * attempt after 5 s instead of holding a pool slot for good; a statement running past 30 s is
 * cancelled by the server; keep-alive finds the dead peers of idle connections.
 */
const POOL = { connectionTimeoutMillis: 5_000, statement_timeout: 30_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 }

/** The Prisma PostgreSQL adapter on `connection`, with counted statements. */
export const postgresAdapter = (connectionString: string, onStatement: OnStatement, connection: AdapterConnection) =>
  wrapped(new PrismaPg({ connectionString, ...POOL }), false, onStatement, connection)
