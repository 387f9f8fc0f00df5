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
})
