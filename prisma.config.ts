import { defineConfig } from 'prisma/config'
import { databaseKind, sqlitePath } from './src/db/url.js'

// The schema's datasource reads DATABASE_URL even though the adapter is what connects.
process.env.DATABASE_URL ||= 'file:./data/sms.db'
const url = process.env.DATABASE_URL
const pg = databaseKind(url) === 'postgres'

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: pg ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: pg ? 'prisma/postgres/migrations' : 'prisma/migrations' },
  async adapter() {
    if (pg) {
      const { PrismaPg } = await import('@prisma/adapter-pg')
      // The CLI never closes the pool: a short idle timeout lets it exit without waiting 10 s.
      return new PrismaPg({ connectionString: url, idleTimeoutMillis: 50 })
    }
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3')
    return new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}` })
  },
})
