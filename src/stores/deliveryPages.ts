import { type Dialect, Prisma, type Row, type Sql } from '../db/client.js'
import { enumLiteral } from '../db/dialect.js'
import { modelRow } from '../db/rows.js'
import { SmsDeliveryStatus } from '../generated/prisma/enums.js'

/** What Pothos asks of a page of deliveries (its `query` for smsDeliveries). */
export interface PageQuery {
  take?: number
  skip?: number
  cursor?: { id?: string }
  include?: Record<string, unknown>
  select?: unknown
}

/** Whose deliveries, and which of them. */
export interface PageFilter {
  userId: string
  campaignId?: string
  callId?: string
  status?: SmsDeliveryStatus
}

/** How a page is read: the delivery columns wanted (all when absent), and what runs between statements. */
export interface PageOptions {
  columns?: readonly string[]
  between?: () => Promise<void>
}

/** How one relation is read for a page: the column of the delivery holding its key, and the rows for a set of keys. */
interface Relation {
  key: string
  load: (keys: string[]) => Promise<(key: string) => unknown>
}

const EVENTS_ORDER = JSON.stringify({ orderBy: [{ at: 'asc' }, { id: 'asc' }] })
const DUPLICATES = JSON.stringify({ orderBy: { detectedAt: 'asc' }, select: { providerMessageId: true } })

/** The columns asked for (`true` for all, or `{ select }` of columns only), or undefined for any other shape. */
function columnsAsked(model: string, asked: unknown): string[] | undefined {
  const scalars = modelRow(model).columns
  if (asked === true) return [...scalars]
  const select = (asked as { select?: Row } | null)?.select
  if (!select || Object.keys(asked as object).length !== 1) return undefined
  const columns = Object.keys(select)
  return columns.length > 0 && columns.every((c) => scalars.has(c) && select[c] === true) ? columns : undefined
}

/** `columns` with the id and `keys` added, in the model's order; undefined (every column) when one is not a column. */
function columnsWanted(columns: readonly string[], keys: string[]): string[] | undefined {
  const asked = new Set(['id', ...columns, ...keys])
  const scalars = modelRow('SmsDelivery').columns
  if ([...asked].some((c) => !scalars.has(c))) return undefined
  return [...scalars].filter((c) => asked.has(c))
}

/** What a delivery points to through a key column. */
export type RelatedModel = 'SmsAction' | 'Campaign'

/** The rows of `model` with these ids, holding `columns`, by id. */
async function rowsById(dialect: Dialect, model: RelatedModel, columns: string[], ids: string[]) {
  const parse = modelRow(model)
  const list = Prisma.raw(columns.map((c) => `"${c}"`).join(', '))
  const rows = await dialect.read(Prisma.sql`SELECT ${list} FROM ${Prisma.raw(`"${model}"`)} WHERE "id" IN (${Prisma.join(ids)})`)
  return new Map(rows.map((r) => [String(r.id), parse.pick(r, columns)]))
}

/** The row of `model` each delivery points to through its `key` column. */
function byId(dialect: Dialect, model: RelatedModel, key: string, asked: unknown): Relation | undefined {
  const columns = columnsAsked(model, asked)
  if (!columns) return undefined
  return {
    key,
    load: async (ids) => {
      const found = await rowsById(dialect, model, columns, ids)
      return (id) => found.get(id)
    },
  }
}

/** A delivery's rows of a list relation (their `deliveryId` column), in the order `sql` reads them. */
function listOf(dialect: Dialect, sql: (ids: string[]) => Sql, model: string, columns?: string[]): Relation {
  const parse = modelRow(model)
  return {
    key: 'id',
    load: async (ids) => {
      const grouped = new Map<string, unknown[]>()
      for (const row of await dialect.read(sql(ids))) {
        const list = grouped.get(String(row.deliveryId)) ?? []
        list.push(columns ? parse.pick(row, columns) : parse.all(row))
        grouped.set(String(row.deliveryId), list)
      }
      return (id) => grouped.get(id) ?? []
    },
  }
}

/** How each relation asked for is read; undefined when one is asked in a shape read only through Prisma. */
function relationsOf(dialect: Dialect, include: Record<string, unknown>): Map<string, Relation> | undefined {
  const plans = new Map<string, Relation>()
  for (const [name, asked] of Object.entries(include)) {
    let plan: Relation | undefined
    if (name === 'smsAction') plan = byId(dialect, 'SmsAction', 'smsActionId', asked)
    else if (name === 'campaign') plan = byId(dialect, 'Campaign', 'campaignId', asked)
    else if (name === 'events' && JSON.stringify(asked) === EVENTS_ORDER)
      plan = listOf(
        dialect,
        (ids) => Prisma.sql`SELECT * FROM "SmsDeliveryEvent" WHERE "deliveryId" IN (${Prisma.join(ids)}) ORDER BY "at" ASC, "id" ASC`,
        'SmsDeliveryEvent',
      )
    else if (name === 'duplicates' && JSON.stringify(asked) === DUPLICATES)
      plan = listOf(
        dialect,
        (ids) =>
          Prisma.sql`SELECT "deliveryId", "providerMessageId" FROM "DuplicateSend" WHERE "deliveryId" IN (${Prisma.join(ids)}) ORDER BY "detectedAt" ASC`,
        'DuplicateSend',
        ['providerMessageId'],
      )
    if (!plan) return undefined
    plans.set(name, plan)
  }
  return plans
}

/**
 * The page's statement: newest first along (userId, createdAt), from the cursor's row on, as
 * Prisma's cursor reads; a cursor naming another user's delivery reads nothing, as a missing one. The ids are ordered first and whole rows read after, so a sort (rows
 * created in the same millisecond) moves ids rather than whole rows.
 */
function pageStatement(filter: PageFilter, take: number, skip: number, cursor: string | undefined, columns: Sql): Sql {
  const where = [Prisma.sql`d."userId" = ${filter.userId}`]
  if (filter.campaignId) where.push(Prisma.sql`d."campaignId" = ${filter.campaignId}`)
  if (filter.callId) where.push(Prisma.sql`d."callId" = ${filter.callId}`)
  if (filter.status) where.push(Prisma.sql`d."status" = ${enumLiteral(filter.status, Object.values(SmsDeliveryStatus))}`)
  const from = cursor
    ? Prisma.sql`"SmsDelivery" d, (SELECT "createdAt", "id" FROM "SmsDelivery" WHERE "id" = ${cursor} AND "userId" = ${filter.userId}) c`
    : Prisma.sql`"SmsDelivery" d`
  if (cursor) where.push(Prisma.sql`(d."createdAt" < c."createdAt" OR (d."createdAt" = c."createdAt" AND d."id" <= c."id"))`)
  const ids = Prisma.sql`SELECT d."id" FROM ${from} WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY d."createdAt" DESC, d."id" DESC LIMIT ${take} OFFSET ${skip}`
  return Prisma.sql`SELECT ${columns} FROM (${ids}) p JOIN "SmsDelivery" r ON r."id" = p."id" ORDER BY r."createdAt" DESC, r."id" DESC`
}

/**
 * Pages of deliveries for smsDeliveries, read in SQL on the driver (src/db/dialect.ts) rather than
 * through Prisma's query API, which took 15 ms of one turn of the event loop for a page of 100 with
 * their events. Answers what Prisma's findMany would for the same query (test/delivery-pages.test.ts).
 */
export function deliveryPagesStore(dialect: Dialect) {
  const delivery = modelRow('SmsDelivery')
  return {
    /**
     * The page with the relations Pothos asks for; undefined when it asks for what only Prisma
     * reads (backwards, nested relations). Rows hold `columns` (with the id and the keys of the
     * relations read) when given: reading every column of 50 rows took longer than the page's
     * index search. `between` runs between its statements (a heavy operation lets the event
     * loop turn there).
     */
    async read(query: PageQuery, filter: PageFilter, { columns, between }: PageOptions = {}): Promise<Row[] | undefined> {
      const { take = 0, skip = 0, cursor, include = {} } = query
      if (take <= 0 || query.select !== undefined) return undefined
      if (cursor && (Object.keys(cursor).join() !== 'id' || typeof cursor.id !== 'string')) return undefined
      const relations = relationsOf(dialect, include)
      if (!relations) return undefined
      const wanted =
        columns &&
        columnsWanted(
          columns,
          [...relations.values()].map((r) => r.key),
        )
      const list = Prisma.raw(wanted ? wanted.map((c) => `r."${c}"`).join(', ') : 'r.*')
      const statement = pageStatement(filter, take, skip, cursor?.id, list)
      const rows = (await dialect.read(statement)).map((r) => (wanted ? delivery.pick(r, wanted) : delivery.all(r)))
      if (rows.length === 0) return rows
      for (const [name, { key, load }] of relations) {
        const keyOf = (row: Row) => String(row[key])
        await between?.()
        const found = await load([...new Set(rows.map(keyOf))])
        for (const row of rows) row[name] = found(keyOf(row))
      }
      return rows
    },

    /** Whole rows of the actions or campaigns with these ids (deliveries read without them), by id. */
    related(model: RelatedModel, ids: string[]): Promise<Map<string, Row>> {
      return rowsById(dialect, model, [...modelRow(model).columns], ids)
    },
  }
}

export type DeliveryPagesStore = ReturnType<typeof deliveryPagesStore>
