import { z } from 'zod'
import { getDatamodel } from '../generated/pothos-types.js'
import { SmsProvider } from '../generated/prisma/enums.js'
import type { Row } from './dialect.js'

// Column values as the drivers return them: SQLite gives 0/1 for booleans, bigints for some
// integers; PostgreSQL gives booleans and numbers.
export const bool = z.union([z.boolean(), z.number(), z.bigint()]).transform((v) => v === true || Number(v) === 1)
export const int = z.union([z.number(), z.bigint()]).transform(Number)

const PROVIDERS = Object.values(SmsProvider)

/** The stored form of a provider list (SQLite has no scalar lists): comma-separated, in a stable order. */
export const providerList = {
  parse: (stored: string): SmsProvider[] => PROVIDERS.filter((p) => stored.split(',').includes(p)),
  format: (list: readonly SmsProvider[]): string => PROVIDERS.filter((p) => list.includes(p)).join(','),
}

type Convert = (value: unknown) => unknown
const nullable =
  (convert: Convert): Convert =>
  (v) =>
    v === null || v === undefined ? null : convert(v)
const CONVERT: Record<string, Convert> = {
  String: nullable(String),
  Int: nullable(Number),
  Boolean: nullable((v) => v === true || Number(v) === 1),
  DateTime: nullable((v) => new Date(v as string)),
}

/** How a field's column value becomes what Prisma returns; a type not listed fails at start, not on a read. */
function converterOf(field: { name: string; kind: string; type: string }): Convert {
  const convert = field.kind === 'enum' ? CONVERT.String : CONVERT[field.type]
  if (!convert) throw new Error(`no conversion for ${field.name} (${field.type})`)
  return convert
}

/** A model's scalar columns read in SQL, converted as Prisma's client returns them (from the generated datamodel). */
export interface ModelRow {
  /** The model's scalar columns, in its order. */
  readonly columns: ReadonlySet<string>
  /** Every scalar field of the row. */
  all(row: Row): Row
  /** Only `columns`. */
  pick(row: Row, columns: string[]): Row
}

const modelRows = new Map<string, ModelRow>()

export function modelRow(model: string): ModelRow {
  const known = modelRows.get(model)
  if (known) return known
  const fields = getDatamodel().datamodel.models[model]?.fields.filter((f) => f.kind !== 'object')
  if (!fields) throw new Error(`no model ${model}`)
  const converters = new Map(fields.map((f) => [f.name, converterOf(f)]))
  const pick = (row: Row, columns: string[]) => {
    const out: Row = {}
    for (const c of columns) out[c] = (converters.get(c) as Convert)(row[c])
    return out
  }
  const every = [...converters]
  const all = (row: Row) => {
    const out: Row = {}
    for (const [name, convert] of every) out[name] = convert(row[name])
    return out
  }
  const parsed: ModelRow = { columns: new Set(fields.map((f) => f.name)), all, pick }
  modelRows.set(model, parsed)
  return parsed
}
