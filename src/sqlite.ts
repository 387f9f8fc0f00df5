import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'

type Factory = PrismaBetterSQLite3
type Adapter = Awaited<ReturnType<Factory['connect']>>
type Tx = Awaited<ReturnType<Adapter['startTransaction']>>

/** A FIFO lock: `acquire` resolves with the function that releases it. */
class Lock {
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
 * The better-sqlite3 adapter runs every query on one connection and only makes transactions wait
 * for each other: a query outside a transaction runs inside whichever one is open, reads its
 * uncommitted rows and is undone by its rollback. This wrapper makes such queries wait until the
 * open transaction ends, so concurrent requests stay isolated.
 */
function serialized(adapter: Adapter): Adapter {
  const lock = new Lock()
  const locked = async <T>(run: () => Promise<T>): Promise<T> => {
    const release = await lock.acquire()
    try {
      return await run()
    } finally {
      release()
    }
  }
  const startTransaction: Adapter['startTransaction'] = async (isolationLevel) => {
    const release = await lock.acquire()
    let tx: Tx
    try {
      tx = await adapter.startTransaction(isolationLevel)
    } catch (e) {
      release()
      throw e
    }
    const end = (finish: () => Promise<void>) => () => finish().finally(release)
    return Object.assign(Object.create(tx) as Tx, { commit: end(() => tx.commit()), rollback: end(() => tx.rollback()) })
  }
  return Object.assign(Object.create(adapter) as Adapter, {
    queryRaw: (q: Parameters<Adapter['queryRaw']>[0]) => locked(() => adapter.queryRaw(q)),
    executeRaw: (q: Parameters<Adapter['executeRaw']>[0]) => locked(() => adapter.executeRaw(q)),
    executeScript: (script: string) => locked(() => adapter.executeScript(script)),
    startTransaction,
  })
}

/** The Prisma SQLite adapter factory whose connections keep transactions isolated (see `serialized`). */
export function sqliteAdapter(url: string): Factory {
  const factory = new PrismaBetterSQLite3({ url, timeout: 10_000 })
  const connect = factory.connect.bind(factory)
  return Object.assign(factory, { connect: async () => serialized(await connect()) })
}
