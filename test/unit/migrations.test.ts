import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { prisma } from '../../harness/databases.js'
import { derivePostgresSchema } from '../../prisma/derive.mjs'

const dir = mkdtempSync(join(tmpdir(), 'sms-migrations-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('one data model, two engines', () => {
  it('prisma/postgres/schema.prisma is derived from prisma/schema.prisma (npm run db:derive)', () => {
    const sqlite = readFileSync('prisma/schema.prisma', 'utf8')
    expect(readFileSync('prisma/postgres/schema.prisma', 'utf8')).toBe(derivePostgresSchema(sqlite))
  })

  it('the SQLite migrations build exactly the schema the model describes', () => {
    // Structure, not SQL text: ALTER TABLE leaves a differently written CREATE statement behind.
    const sqliteMaster = (file: string) => {
      const db = new Database(file, { readonly: true })
      const tables = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_prisma%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as { name: string }[]
      const described = tables.map(({ name }) => ({
        name,
        columns: (db.pragma(`table_info("${name}")`) as { name: string; cid: number }[])
          .map(({ cid: _cid, ...c }) => c)
          .sort((x, y) => x.name.localeCompare(y.name)),
        indexes: (db.pragma(`index_list("${name}")`) as { name: string }[])
          .map((i) => ({
            ...i,
            seq: 0,
            columns: (db.pragma(`index_info("${i.name}")`) as { name: string; seqno: number }[]).map(({ name, seqno }) => ({
              name,
              seqno,
            })),
          }))
          .sort((x, y) => x.name.localeCompare(y.name)),
        foreignKeys: (db.pragma(`foreign_key_list("${name}")`) as { id: number; seq: number }[]).map(({ id: _id, ...fk }) => fk),
      }))
      db.close()
      return described
    }
    prisma(['migrate', 'deploy'], `file:${join(dir, 'migrated.db')}`)
    // `db push` hangs for a minute after finishing here, so apply the model's own DDL instead.
    const ddl = prisma(
      ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
      `file:${join(dir, 'x.db')}`,
    )
    const pushed = new Database(join(dir, 'pushed.db'))
    pushed.exec(ddl.toString())
    pushed.close()
    const migrated = sqliteMaster(join(dir, 'migrated.db'))
    expect(migrated.length).toBeGreaterThan(9)
    expect(migrated).toEqual(sqliteMaster(join(dir, 'pushed.db')))
  })

  it.runIf(process.env.TEST_DATABASE_URL)('the PostgreSQL migrations build exactly the schema the model describes', async () => {
    const admin = process.env.TEST_DATABASE_URL as string
    const names = [`sms_mig_${randomBytes(4).toString('hex')}`, `sms_push_${randomBytes(4).toString('hex')}`]
    const urlOf = (name: string) => Object.assign(new URL(admin), { pathname: `/${name}` }).href
    const adminClient = new pg.Client({ connectionString: admin })
    await adminClient.connect()
    try {
      for (const n of names) await adminClient.query(`CREATE DATABASE ${n}`)
      prisma(['migrate', 'deploy'], urlOf(names[0] as string))
      // As above: the model's own DDL (`db push` cannot introspect PostgreSQL through the adapter).
      const ddl = prisma(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/postgres/schema.prisma', '--script'], admin)
      const target = new pg.Client({ connectionString: urlOf(names[1] as string) })
      await target.connect()
      await target.query(ddl.toString())
      await target.end()
      const describeDb = async (name: string) => {
        const c = new pg.Client({ connectionString: urlOf(name) })
        await c.connect()
        const columns = await c.query(
          `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name NOT LIKE '_prisma%' ORDER BY 1, 2`,
        )
        const indexes = await c.query(
          `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '_prisma%' ORDER BY 1`,
        )
        const constraints = await c.query(
          `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE '_prisma%' ORDER BY 1`,
        )
        await c.end()
        return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows }
      }
      const migrated = await describeDb(names[0] as string)
      expect(migrated.columns.length).toBeGreaterThan(50)
      expect(migrated).toEqual(await describeDb(names[1] as string))
    } finally {
      for (const n of names) await adminClient.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`)
      await adminClient.end()
    }
  })
})
