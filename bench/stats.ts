// Statistics as the data grows: campaign, action and user stats over GraphQL (HTTP, the service in
// its own process) at 10,000 and 1,000,000 deliveries, over all of them and over one day, beside
// the bare minimum on the bare driver: one COUNT(*) of the same rows (better-sqlite3 or pg).
// Usage: npm run bench:stats [-- --sizes 10000,1000000]
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqlitePath } from '../src/db/url.js'
import { benchEnv, percentile, report, startService } from './lib.js'
import { seed } from './seed.js'

const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '10000,1000000' }, runs: { type: 'string', default: '9' } },
})
const SIZES = String(args.sizes).split(',').map(Number)
const RUNS = Number(args.runs)
const { url } = await benchEnv()
const data = await seed(0)
const DATABASE_URL = process.env.DATABASE_URL as string
const postgres = DATABASE_URL.startsWith('postgres')
const NOW = Date.now()

// Deliveries one second apart going back from now: 70% DELIVERED (1 to 30 s later), 10% UNDELIVERED,
// 10% FAILED, 10% SENT; one or two segments.
const STATUS = `CASE g % 10 WHEN 7 THEN 'UNDELIVERED' WHEN 8 THEN 'FAILED' WHEN 9 THEN 'SENT' ELSE 'DELIVERED' END`
const ERROR = `CASE g % 10 WHEN 7 THEN (CASE g % 3 WHEN 0 THEN '30003' ELSE '30005' END) WHEN 8 THEN '30007' ELSE NULL END`
const TENTHS = 'CASE WHEN g % 10 < 7 THEN 10 + (g % 30) * 10 END'
const COLS = `"id","userId","smsActionId","campaignId","callId","to","body","provider","status","errorCode","providerMessageId","segments","encoding","sandbox","attempts","createdAt","updatedAt","deliveredAt","tenthsToDelivered"`

async function grow(to: number) {
  const have = await data.db.smsDelivery.count()
  for (let i = have; i < to; i += 50_000) {
    const [from, until] = [i, Math.min(to, i + 50_000) - 1]
    if (postgres) {
      await data.db.$executeRawUnsafe(
        `INSERT INTO "SmsDelivery" (${COLS}) SELECT 'bulk' || g, $1, $2, $3, 'call-' || (g % 5000), '+14155550123', 'Bulk text', 'TWILIO',
          (${STATUS})::"SmsDeliveryStatus", ${ERROR}, 'SMbulk' || g, 1 + (g % 4 = 0)::int, 'GSM7', false, 1,
          to_timestamp(${NOW / 1000} - g), to_timestamp(${NOW / 1000} - g),
          CASE WHEN g % 10 < 7 THEN to_timestamp(${NOW / 1000} - g + 1 + (g % 30)) END, ${TENTHS}
        FROM generate_series($4::int, $5::int) g`,
        data.userId,
        data.actionId,
        data.campaignId,
        from,
        until,
      )
    } else {
      // ISO-8601 text, as the service stores timestamps in SQLite.
      const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`
      await data.db.$executeRawUnsafe(
        `WITH RECURSIVE s(g) AS (SELECT ${from} UNION ALL SELECT g + 1 FROM s WHERE g < ${until})
        INSERT INTO "SmsDelivery" (${COLS}) SELECT 'bulk' || g, ?, ?, ?, 'call-' || (g % 5000), '+14155550123', 'Bulk text', 'TWILIO',
          ${STATUS}, ${ERROR}, 'SMbulk' || g, 1 + (g % 4 = 0), 'GSM7', 0, 1,
          ${iso(`${NOW} - g * 1000`)}, ${iso(`${NOW} - g * 1000`)},
          CASE WHEN g % 10 < 7 THEN ${iso(`${NOW} - g * 1000 + 1000 + (g % 30) * 1000`)} END, ${TENTHS}
        FROM s`,
        data.userId,
        data.actionId,
        data.campaignId,
      )
    }
  }
  if (postgres) await data.db.$executeRawUnsafe('VACUUM ANALYZE "SmsDelivery"')
  else await data.db.$executeRawUnsafe('ANALYZE')
}

// The service's statement, on the bare driver.
const SQL = {
  count: 'SELECT COUNT(*) FROM "SmsDelivery" WHERE "campaignId" = $1 AND "createdAt" >= $2',
  group: `SELECT "status", "errorCode", "tenthsToDelivered", COUNT(*), SUM("segments") FROM "SmsDelivery"
    WHERE "campaignId" = $1 AND "createdAt" >= $2 GROUP BY "status", "errorCode", "tenthsToDelivered"`,
}

/** A statement on the bare driver (better-sqlite3 or pg): the bare minimum is a COUNT(*) of the same rows. */
async function bare(sql: string, since: Date): Promise<() => Promise<unknown>> {
  if (postgres) {
    const client = new pg.Client({ connectionString: DATABASE_URL })
    await client.connect()
    return () => client.query(sql, [data.campaignId, since])
  }
  const db = new Database(sqlitePath(DATABASE_URL), { readonly: true })
  const statement = db.prepare(sql.replace(/\$\d/g, '?'))
  return async () => statement.all(data.campaignId, since.toISOString())
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  await run()
  const times: number[] = []
  for (let k = 0; k < RUNS; k++) {
    const t = performance.now()
    await run()
    times.push(performance.now() - t)
  }
  return Number(percentile(times, 50).toFixed(1))
}

const FIELDS = 'total segmentsSent deliveryRate medianSecondsToDelivered topErrorCodes { code count }'
const query = (scope: string, since: Date) => {
  const stats = `stats(since: "${since.toISOString()}") { ... on SmsStats { ${FIELDS} } }`
  if (scope === 'viewer') return `{ viewer { ${stats} } }`
  return `{ ${scope}(id: "${scope === 'campaign' ? data.campaignId : data.actionId}") { ${stats} } }`
}
const ask = async (body: string) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${data.key}` },
    body: JSON.stringify({ query: body }),
  })
  const json = (await res.json()) as { errors?: unknown }
  if (json.errors) throw new Error(JSON.stringify(json.errors))
  return json
}

const rows: Record<string, unknown>[] = []
for (const size of SIZES) {
  const seeding = performance.now()
  await grow(size)
  const seededIn = Math.round((performance.now() - seeding) / 1000)
  const service = await startService({ LOG_LEVEL: 'warn' })
  for (const [range, since] of [
    ['all', new Date(NOW - 40 * 86_400_000)],
    ['1 day', new Date(NOW - 86_400_000)],
  ] as const) {
    const count = await timed(await bare(SQL.count, since))
    const group = await timed(await bare(SQL.group, since))
    const answer = (await ask(query('campaign', since))) as { data: { campaign: { stats: { total: number } } } }
    const row: Record<string, unknown> = {
      deliveries: size,
      range,
      rows: answer.data.campaign.stats.total,
      'bare COUNT ms': count,
      'bare GROUP BY ms': group,
    }
    for (const scope of ['campaign', 'smsAction', 'viewer']) {
      const ms = await timed(() => ask(query(scope, since)))
      row[`${scope} ms`] = ms
      row[`${scope} ×`] = Number((ms / count).toFixed(1))
    }
    rows.push({ ...row, 'seeded s': seededIn })
  }
  service.proc.kill('SIGTERM')
  await service.exited
}
report('stats', rows, { runs: RUNS })
process.exit(0)
