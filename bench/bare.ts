// The bare drivers the baselines use: better-sqlite3 or a pg pool, with `$n` placeholders on both.
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqlitePath } from '../src/db/url.js'

export interface BareDb {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  run(sql: string, params?: unknown[]): Promise<number>
  close(): Promise<void>
}

export function bareDb(url: string): BareDb {
  if (url.startsWith('postgres')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 })
    return {
      query: async (sql, params = []) => (await pool.query(sql, params)).rows,
      run: async (sql, params = []) => (await pool.query(sql, params)).rowCount ?? 0,
      close: () => pool.end(),
    }
  }
  const db = new Database(sqlitePath(url))
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 10000')
  // `$n` becomes `?`, and the parameters are bound in the order they appear (a `$n` may repeat).
  const statements = new Map<string, { statement: Database.Statement; order: number[] }>()
  const prepared = (sql: string) => {
    let s = statements.get(sql)
    if (!s) {
      const order = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]) - 1)
      s = { statement: db.prepare(sql.replace(/\$\d+/g, '?')), order }
      statements.set(sql, s)
    }
    return s
  }
  // SQLite stores the service's timestamps as ISO-8601 text and booleans as 0/1.
  const value = (p: unknown) => (p instanceof Date ? p.toISOString() : typeof p === 'boolean' ? Number(p) : p)
  const bound = (sql: string, params: unknown[]) => {
    const { statement, order } = prepared(sql)
    return { statement, values: order.map((i) => value(params[i])) }
  }
  return {
    query: async (sql, params = []) => {
      const { statement, values } = bound(sql, params)
      return statement.all(...values) as never
    },
    run: async (sql, params = []) => {
      const { statement, values } = bound(sql, params)
      return statement.run(...values).changes
    },
    close: async () => void db.close(),
  }
}

/** The baseline's page of smsDeliveries(first: 50): one joined read with the action's and campaign's names. */
export const BARE_PAGE = `SELECT d."id", d."status", d."to", d."createdAt", a."id" AS "actionId", a."name" AS "actionName", c."id" AS "campaignId", c."name" AS "campaignName"
  FROM "SmsDelivery" d JOIN "SmsAction" a ON a."id" = d."smsActionId" JOIN "Campaign" c ON c."id" = d."campaignId"
  WHERE d."userId" = $1 ORDER BY d."createdAt" DESC, d."id" DESC LIMIT 51`
