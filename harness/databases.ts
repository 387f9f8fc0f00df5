import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** Runs the Prisma CLI on `url` (WebAssembly engine: the engine paths only need to exist); returns its output. */
export function prisma(args: string[], url: string): Buffer {
  return execFileSync('npx', ['prisma', ...args], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PRISMA_SCHEMA_ENGINE_BINARY: 'package.json',
      PRISMA_QUERY_ENGINE_LIBRARY: 'package.json',
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
    stdio: 'pipe',
  })
}

/** Runs the committed migrations into `url`, through the same CLI command that `npm start` uses. */
export function migrate(url: string) {
  prisma(['migrate', 'deploy'], url)
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
