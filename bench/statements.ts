// What one SQL statement costs through Prisma 6.19's query compiler, through Prisma's raw queries,
// and straight through better-sqlite3, on the same SQLite file in the same run (µs per statement).
// Usage: npx tsx bench/statements.ts [iterations]
import Database from 'better-sqlite3'
import { benchEnv, report } from './lib.js'

delete process.env.BENCH_DATABASE_URL // better-sqlite3 is the floor this compares with: SQLite only
await benchEnv()
const N = Number(process.argv[2] ?? 3000)
const { db } = (await import('../src/db/client.js')).createDatabase(process.env.DATABASE_URL as string)
const { sqlitePath } = await import('../src/db/url.js')
const { cuid } = await import('../src/db/ids.js')
await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
const user = await db.user.create({ data: { email: 'bench@example.com', enabledProviders: 'ATLAS' } })
const direct = new Database(sqlitePath(process.env.DATABASE_URL as string))
const select = direct.prepare('SELECT * FROM "User" WHERE "id" = ?')
const update = direct.prepare('UPDATE "User" SET "email" = ? WHERE "id" = ?')
const insert = direct.prepare('INSERT INTO "OptOut" ("id", "userId", "sender", "phone", "source") VALUES (?, ?, ?, ?, ?)')

async function time(run: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < N / 10; i++) await run(-i - 1)
  const started = performance.now()
  for (let i = 0; i < N; i++) await run(i)
  return Math.round(((performance.now() - started) / N) * 1000)
}
const optOut = (i: number, via: string) => ({ id: cuid(), userId: user.id, sender: via, phone: String(i), source: 'bench' })
const rows = [
  {
    statement: 'select by id',
    'Prisma query µs': await time(() => db.user.findUnique({ where: { id: user.id } })),
    'Prisma raw µs': await time(() => db.$queryRaw`SELECT * FROM "User" WHERE "id" = ${user.id}`),
    'better-sqlite3 µs': await time(() => select.get(user.id)),
  },
  {
    statement: 'update by id',
    'Prisma query µs': await time((i) => db.user.update({ where: { id: user.id }, data: { email: `a${i}@example.com` } })),
    'Prisma raw µs': await time((i) => db.$executeRaw`UPDATE "User" SET "email" = ${`b${i}@example.com`} WHERE "id" = ${user.id}`),
    'better-sqlite3 µs': await time((i) => update.run(`c${i}@example.com`, user.id)),
  },
  {
    statement: 'insert',
    'Prisma query µs': await time((i) => db.optOut.create({ data: optOut(i, 'query') })),
    'Prisma raw µs': await time((i) => {
      const o = optOut(i, 'raw')
      return db.$executeRaw`INSERT INTO "OptOut" ("id", "userId", "sender", "phone", "source") VALUES (${o.id}, ${o.userId}, ${o.sender}, ${o.phone}, ${o.source})`
    }),
    'better-sqlite3 µs': await time((i) => {
      const o = optOut(i, 'direct')
      return insert.run(o.id, o.userId, o.sender, o.phone, o.source)
    }),
  },
]
report('statements', rows, { iterations: N })
direct.close()
await db.$disconnect()
