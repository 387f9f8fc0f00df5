import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createPostgresDatabase, migrate } from '../harness/databases.js'
import { freePort } from '../harness/net.js'
import { startServer } from '../harness/process.js'

/**
 * The environment of one benchmark run: a fresh migrated database (SQLite file, or a fresh
 * PostgreSQL database when BENCH_DATABASE_URL is set), keys and a fixed port, set in process.env
 * before the service's modules are imported.
 */
export async function benchEnv(): Promise<{ port: number; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sms-bench-'))
  const port = await freePort()
  let databaseUrl = `file:${join(dir, 'bench.db')}`
  if (process.env.BENCH_DATABASE_URL) databaseUrl = (await createPostgresDatabase(process.env.BENCH_DATABASE_URL, 'sms_bench')).url
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATA_DIR: join(dir, 'data'),
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    ADMIN_TOKEN: `bench-${randomBytes(12).toString('hex')}`,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_MS: '0',
    SEND_RATE_LIMIT_PER_MINUTE: '100000',
    KEY_REQUESTS_PER_SECOND: '100000',
    USER_REQUESTS_PER_SECOND: '1000000',
    KEY_QUERY_COST_PER_SECOND: '100000000',
    RECIPIENT_TEXTS_PER_HOUR: '100000',
    RECIPIENT_TEXTS_PER_DAY: '100000',
    USER_TEXTS_PER_DAY: '10000000',
    SENDER_RATE_PER_SECOND: '10000',
    SUBSCRIPTIONS_PER_KEY: '100000',
    SOCKETS_PER_KEY: '100000',
    ...(process.env.BENCH_REDIS_URL
      ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}` }
      : {}),
  })
  migrate(databaseUrl)
  return { port, url: `http://127.0.0.1:${port}` }
}

/**
 * Starts the service as its own process (so the load generator does not share its CPU).
 * BENCH_SERVICE_SCRIPT runs another tree's entry point instead (bench/compare.ts: before and after).
 */
export async function startService(env: Record<string, string> = {}, script?: string, nodeArgs?: string[]) {
  // NODE_ENV=production as deployed: under test, graphql-js checks every type test in development
  // mode (about 9 % of a page read's CPU). The baselines do not read it.
  const deployed = { PORT: process.env.PORT as string, LOG_LEVEL: 'info', NODE_ENV: 'production' }
  return startServer({ ...deployed, ...env }, script ?? process.env.BENCH_SERVICE_SCRIPT, nodeArgs)
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

/** Prints a table and writes the figures to bench/results/<name>-<time>.json. */
export function report(name: string, rows: Record<string, unknown>[], meta: Record<string, unknown> = {}) {
  console.log(`\n${name} (${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}${process.env.BENCH_REDIS_URL ? ' + Redis' : ''})`)
  console.table(rows)
  mkdirSync('bench/results', { recursive: true })
  const file = `bench/results/${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
  writeFileSync(
    file,
    JSON.stringify(
      { name, at: new Date().toISOString(), database: process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite', ...meta, rows },
      null,
      2,
    ),
  )
  console.log(`written ${file}`)
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** `run`'s result, and the CPU ms a process used per operation while it ran (`amount` operations). */
export async function cpuPerOperation<T>(pid: number, amount: number, run: () => Promise<T>): Promise<[T, number]> {
  const started = cpuMs(pid)
  const result = await run()
  return [result, (cpuMs(pid) - started) / amount]
}

/** Heap used by the service process, read from its own /metrics. */
export async function serviceHeap(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text)?.[1] ?? Number.NaN)
}

/** SQL statements the service has run so far (its db_queries_total metric). */
export async function statementsRun(url: string): Promise<number> {
  return Number(/^db_queries_total (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1])
}

/**
 * Another git revision checked out beside the working tree (in the system's temporary folder,
 * sharing node_modules and the generated Prisma client): its short name and its service's entry.
 */
export function revisionTree(revision: string): { rev: string; script: string } {
  const rev = execFileSync('git', ['rev-parse', '--short', revision]).toString().trim()
  const tree = join(tmpdir(), `sms-before-${rev}`)
  if (!existsSync(tree)) {
    execFileSync('git', ['worktree', 'add', '--detach', tree, rev], { stdio: 'ignore' })
    symlinkSync(resolve('node_modules'), join(tree, 'node_modules'))
    cpSync('src/generated', join(tree, 'src/generated'), { recursive: true })
  }
  return { rev, script: join(tree, 'src/main.ts') }
}
