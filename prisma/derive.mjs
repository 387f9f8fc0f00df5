// Derives the PostgreSQL schema from the SQLite one, so the models have one source of truth.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Returns the PostgreSQL schema text derived from the SQLite schema text. */
export function derivePostgresSchema(sqlite) {
  const body = sqlite
    .replace(/^\/\/ Source of truth[\s\S]*?\n\n/, '')
    .replace(/generator pothos \{[\s\S]*?\}\n\n/, '')
    .replace('output              = "../src/generated/prisma"', 'output              = "../../src/generated/prisma-pg"')
    .replace('provider = "sqlite"', 'provider = "postgresql"')
  return `// Generated from prisma/schema.prisma by \`npm run db:derive\`. Do not edit.\n\n${body}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = (p) => fileURLToPath(new URL(p, import.meta.url))
  writeFileSync(here('./postgres/schema.prisma'), derivePostgresSchema(readFileSync(here('./schema.prisma'), 'utf8')))
}
