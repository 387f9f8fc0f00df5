// The SQL under one page of smsDeliveries(first: 50) with action and campaign (what bench/reads.ts
// loads), timed straight on better-sqlite3 beside the bare baseline's joined read: the statements
// the service's page store issues (recorded from src/stores/deliveryPages.ts), each run alone.
// Shows how much of the read's gap is SQL. SQLite only.
// Usage: npx tsx bench/page-statements.ts [--deliveries 10000] [--runs 2000]
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import type { Sql } from '../src/db/client.js'
import { BARE_PAGE } from './bare.js'
import { benchEnv, report } from './lib.js'
import { growDeliveries, seed } from './seed.js'

const { values: args } = parseArgs({
  options: { deliveries: { type: 'string', default: '10000' }, runs: { type: 'string', default: '2000' } },
})
delete process.env.BENCH_DATABASE_URL
await benchEnv()
const { sqlitePath } = await import('../src/db/url.js')
const { deliveryPagesStore } = await import('../src/stores/deliveryPages.js')
const data = await seed(1000)
const owner = await data.db.smsDelivery.findFirstOrThrow({ where: { userId: data.userId } })
await growDeliveries(data.db, owner, Number(args.deliveries))
await data.db.$disconnect()

const sqlite = new Database(sqlitePath(process.env.DATABASE_URL as string), { readonly: true })
const recorded: { sql: string; values: unknown[] }[] = []
const recording = {
  read: async (statement: Sql) => {
    recorded.push({ sql: statement.sql, values: statement.values })
    return sqlite.prepare(statement.sql).all(...statement.values) as Record<string, unknown>[]
  },
}
// The query Pothos plans for `edges { node { id status to createdAt smsAction { id name } campaign { id name } } }`.
const page = await deliveryPagesStore(recording as never).read(
  { take: 51, include: { smsAction: true, campaign: true } },
  { userId: data.userId },
  { columns: ['id', 'status', 'to', 'createdAt', 'smsActionId', 'campaignId'] },
)
if (page?.length !== 51 || recorded.length !== 3) throw new Error(`unexpected page: ${page?.length} rows, ${recorded.length} statements`)

function time(sql: string, values: unknown[]): number {
  const statement = sqlite.prepare(sql)
  const runs = Number(args.runs)
  for (let i = 0; i < runs / 10; i++) statement.all(...values)
  const started = performance.now()
  for (let i = 0; i < runs; i++) statement.all(...values)
  return Math.round(((performance.now() - started) / runs) * 1000)
}

const names = ['service: the page (ids, then their rows)', 'service: the actions', 'service: the campaigns']
const rows = recorded.map(({ sql, values }, i) => ({ statement: names[i], 'µs per run': time(sql, values) }))
rows.push({ statement: 'baseline: one joined read', 'µs per run': time(BARE_PAGE.replace('$1', '?'), [data.userId]) })
report('page-statements', rows)
sqlite.close()
