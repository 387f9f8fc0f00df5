import { describe, expect, it, vi } from 'vitest'
import { Prisma } from '../src/db/client.js'
import { db, sendingSetup, services } from './support/helpers.js'

const user = (email: string) => ({ data: { email, enabledProviders: 'ATLAS' } })
const statements = async () => (await services.metrics.dbQueries.get()).values[0]?.value ?? 0

/** A promise and the function that resolves it. */
function signal() {
  let fire!: () => void
  const fired = new Promise<void>((resolve) => {
    fire = resolve
  })
  return { fire, fired }
}

/** A transaction that has written a user and waits; `rollBack` makes it throw, `rolledBack` answers its error. */
async function transactionAboutToRollBack(email: string) {
  const wrote = signal()
  const refuse = signal()
  const rolledBack = db
    .$transaction(async (tx) => {
      await tx.user.create(user(email))
      wrote.fire()
      await refuse.fired
      throw new Error('business rule refused')
    })
    .catch((e: Error) => e.message)
  await wrote.fired
  return { rolledBack, rollBack: refuse.fire }
}

describe('database transactions', () => {
  it('keep concurrent writes out of a transaction that rolls back, and hide its rows until it commits', async () => {
    let seenInside = -1
    const { rolledBack, rollBack } = await transactionAboutToRollBack('inside@tx.test')
    const before = await statements()
    const outside = db.user.create(user('outside@tx.test')).then(() => undefined)
    const read = db.user.count({ where: { email: 'inside@tx.test' } }).then((n) => {
      seenInside = n
    })
    // Both statements reach the driver while the transaction is still open; only then does it roll back.
    await vi.waitFor(async () => expect(await statements()).toBeGreaterThanOrEqual(before + 2))
    rollBack()
    await Promise.all([outside, read])
    expect(await rolledBack).toBe('business rule refused')
    expect(seenInside).toBe(0)
    const emails = (await db.user.findMany({ where: { email: { endsWith: '@tx.test' } }, select: { email: true } })).map((u) => u.email)
    expect(emails).toEqual(['outside@tx.test'])
  })

  it('let a transaction that commits and one that fails run side by side with plain queries', async () => {
    // The failing transaction collides with a row committed before, so the outcome does not depend
    // on which transaction PostgreSQL runs first.
    await db.user.create(user('taken@tx2.test'))
    const results = await Promise.allSettled([
      db.$transaction(async (tx) => {
        await tx.user.create(user('a@tx2.test'))
        await tx.user.create(user('b@tx2.test'))
      }),
      db.$transaction(async (tx) => {
        await tx.user.create(user('c@tx2.test'))
        await tx.user.create(user('taken@tx2.test'))
      }),
      ...Array.from({ length: 20 }, (_, i) => db.user.create(user(`plain-${i}@tx2.test`))),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', ...Array(20).fill('fulfilled')])
    expect(await db.user.count({ where: { email: { endsWith: '@tx2.test' } } })).toBe(23)
    expect(await db.user.count({ where: { email: 'c@tx2.test' } })).toBe(0)
  })
})

describe('rows written in SQL', () => {
  it('read back exactly as Prisma reads them', async () => {
    const s = await sendingSetup()
    const sent = await s.send({ idempotencyKey: 'sql-rows' })
    const id = sent.delivery.id as string
    const written = await services.status.move(id, 'UNDELIVERED', 'PROVIDER_CALLBACK', {
      errorCode: '30003',
      errorMessage: 'Unreachable destination handset',
      sandbox: false,
    })
    expect(written).toEqual(await db.smsDelivery.findUniqueOrThrow({ where: { id } }))
    expect(await services.stores.deliveries.byId(id)).toEqual(written)
    expect(await services.stores.deliveries.byId('missing')).toBeUndefined()
    expect(written).toMatchObject({ status: 'UNDELIVERED', errorCode: '30003', sandbox: false, attempts: 1, segments: 1 })
    expect(written?.updatedAt.getTime()).toBeGreaterThan(written?.createdAt.getTime() ?? Number.NaN)
    const events = await db.smsDeliveryEvent.findMany({ where: { deliveryId: id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })
    expect(events.map((e) => [e.status, e.source, e.errorCode])).toEqual([
      ['PENDING', 'API', null],
      ['QUEUED', 'DISPATCHER', null],
      ['UNDELIVERED', 'PROVIDER_CALLBACK', '30003'],
    ])
    expect(events.every((e) => /^c[0-9a-z]{24}$/.test(e.id))).toBe(true)
    expect(await services.status.move(id, 'DELIVERED', 'PROVIDER_CALLBACK')).toBeUndefined()
    expect(await db.smsDeliveryEvent.count({ where: { deliveryId: id } })).toBe(3)
  })
})

describe('a write and the rows it changed', () => {
  it('reads back the row written, and nothing when the write changed no row', async () => {
    const { dialect } = services
    const email = 'written@rows.test'
    const [inserted, unchanged] = await dialect.transaction(async (tx) => [
      await dialect.written(
        tx,
        Prisma.sql`INSERT INTO "User" ("id", "email", "enabledProviders", "createdAt", "updatedAt") VALUES ('u-written', ${email}, 'ATLAS', ${new Date()}, ${new Date()})`,
        Prisma.sql`SELECT * FROM "User" WHERE "id" = 'u-written'`,
      ),
      await dialect.written(
        tx,
        Prisma.sql`UPDATE "User" SET "email" = 'never@rows.test' WHERE "id" = 'no-such-user'`,
        Prisma.sql`SELECT * FROM "User" WHERE "id" = 'no-such-user' OR "id" = 'u-written'`,
      ),
    ])
    expect(inserted).toHaveLength(1)
    expect(inserted?.[0]).toMatchObject({ id: 'u-written', email, enabledProviders: 'ATLAS', name: null })
    expect(unchanged).toEqual([])
    expect(await db.user.findUnique({ where: { id: 'u-written' }, select: { email: true } })).toEqual({ email })
  })
})

describe('status changes arriving together', () => {
  it('are each written once with their event; one that fails is undone alone and fails alone', async () => {
    const s = await sendingSetup()
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      const call = { callId: `together-${i}`, customerPhoneNumber: `+141555501${String(i).padStart(2, '0')}` }
      ids.push((await s.send({ call })).delivery.id as string)
    }
    const [first, second, third] = ids as [string, string, string]
    const taken = (await db.smsDelivery.findUniqueOrThrow({ where: { id: first } })).providerMessageId as string
    // A message id, once recorded, stays: the third, without one, takes the first's and is refused.
    await db.smsDelivery.update({ where: { id: third }, data: { providerMessageId: null } })
    const moves = await Promise.allSettled([
      ...ids.map((id) => services.status.move(id, 'SENT', 'PROVIDER_CALLBACK')),
      services.status.move(second, 'SENT', 'PROVIDER_CALLBACK'),
      services.status.move(third, 'DELIVERED', 'PROVIDER_CALLBACK', { providerMessageId: taken }),
    ])
    const outcomes = moves.map((m) => (m.status === 'fulfilled' ? m.value?.status : 'refused'))
    // The two changes of the second delivery race (on PostgreSQL each runs in its own transaction):
    // whichever commits first writes SENT, the other finds nothing to change.
    expect([outcomes[1], outcomes[ids.length]].sort()).toEqual(['SENT', undefined])
    expect(outcomes.filter((_, i) => i !== 1 && i !== ids.length)).toEqual([...ids.slice(1).map(() => 'SENT'), 'refused'])
    const rows = await db.smsDelivery.findMany({ where: { id: { in: ids } }, select: { status: true } })
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'SENT'))
    const events = await db.smsDeliveryEvent.groupBy({ by: ['status'], where: { deliveryId: { in: ids } }, _count: true })
    expect(Object.fromEntries(events.map((e) => [e.status, e._count]))).toMatchObject({ SENT: 12 })
    expect(events.some((e) => e.status === 'DELIVERED')).toBe(false)
  })

  it('wait for an open transaction and are not undone by its rollback', async () => {
    const s = await sendingSetup()
    const id = (await s.send({ idempotencyKey: 'beside-a-transaction' })).delivery.id as string
    const { rolledBack, rollBack } = await transactionAboutToRollBack('beside@tx3.test')
    const moved = services.status.move(id, 'SENT', 'PROVIDER_CALLBACK')
    // Two turns of the event loop: a change that did not wait would have run inside the transaction by now.
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r))
    rollBack()
    expect(await rolledBack).toBe('business rule refused')
    expect((await moved)?.status).toBe('SENT')
    expect((await db.smsDelivery.findUniqueOrThrow({ where: { id } })).status).toBe('SENT')
    expect(await db.smsDeliveryEvent.count({ where: { deliveryId: id, status: 'SENT' } })).toBe(1)
  })
})
