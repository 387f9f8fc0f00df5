import { createServer, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort } from '../../harness/net.js'
import { createDatabase, isTransientDbError, isUniqueViolation, Prisma } from '../../src/db/client.js'

describe('database errors through the service’s own statements', () => {
  it('take an unreachable PostgreSQL for a transient fault (the caller is asked to retry), not a unique violation', async () => {
    const { db, dialect } = createDatabase(`postgres://postgres@127.0.0.1:${await freePort()}/none`)
    const failure = await dialect.read(Prisma.sql`SELECT 1`).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(failure).toBeDefined()
    expect(isTransientDbError(failure)).toBe(true)
    expect(isUniqueViolation(failure)).toBe(false)
    await db.$disconnect()
  })

  it('give up on a PostgreSQL that takes the connection and never answers, as a transient fault', async () => {
    // A server that accepts and stays silent: a network that drops packets, a host that hangs.
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => void sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const { db, dialect } = createDatabase(`postgres://postgres@127.0.0.1:${port}/none`)
    // More reads than the pool has connections: those queued for one time out in the pool itself.
    const failures = await Promise.all(
      Array.from({ length: 14 }, () =>
        dialect.read(Prisma.sql`SELECT 1`).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    )
    expect(failures.map((f) => isTransientDbError(f) || String(f))).toEqual(Array(14).fill(true))
    await db.$disconnect()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })
})
