import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/** Which engine a DATABASE_URL points at. */
export function databaseKind(url: string): 'sqlite' | 'postgres' {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres'
  if (url.startsWith('file:')) return 'sqlite'
  throw new Error(`DATABASE_URL must start with file: or postgres://, got "${url.split(':')[0]}:"`)
}

/**
 * The absolute path of a `file:` URL (relative to the working directory), its folder created. A
 * new database file is created readable by its owner only (it holds numbers and message bodies).
 */
export function sqlitePath(url: string): string {
  const path = resolve(url.slice('file:'.length).split('?')[0] ?? '')
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600))
  return path
}
