import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { applyMigrations, runPrisma } from '../src/db/migrate.js'

/** Runs the Prisma CLI on `url`; returns its output. */
export const prisma = (args: string[], url: string) => runPrisma(args, url)

/** Runs the committed migrations into `url`, as `npm start` does. */
export function migrate(url: string) {
  applyMigrations(url)
}

async function admin<T>(adminUrl: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** A new PostgreSQL database on the server of `adminUrl` (a copy of `template` when given); its URL and how to drop it. */
export async function createPostgresDatabase(adminUrl: string, prefix: string, template?: string) {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`))
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).href
  return { name, url, drop: () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) }
}
