/** Returns the PostgreSQL schema text derived from the SQLite schema text. */
export function derivePostgresSchema(sqlite: string): string
