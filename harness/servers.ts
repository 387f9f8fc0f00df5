import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './net.js'

/** Debian's PostgreSQL server programs, if installed. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const version = readdirSync(root).sort().at(-1)
  const bin = version && join(root, version, 'bin')
  return bin && existsSync(join(bin, 'initdb')) ? bin : undefined
}

const asRoot = process.getuid?.() === 0

/** Whether this machine can run a private PostgreSQL server (its programs, and a non-root user to run them as root). */
export function canRunPostgres(): boolean {
  if (!postgresBin()) return false
  if (!asRoot) return true
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

/**
 * A PostgreSQL server of the test's own, in a temporary folder, on a free port: stopped, started
 * and restarted mid-test without touching anyone else's. Runs as the `postgres` user when root.
 */
export async function startPostgres() {
  const bin = postgresBin()
  if (!bin) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql')
  const dir = mkdtempSync(join(tmpdir(), 'sms-pg-'))
  const as = (program: string, args: string[]) => {
    const [cmd, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, program), ...args] : [join(bin, program), ...args]
    return execFileSync(cmd as string, rest, { stdio: 'pipe' })
  }
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0)
  const data = join(dir, 'data')
  as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`
  const ctl = (...args: string[]) => as('pg_ctl', ['-D', data, '-w', '-t', '60', ...args])
  ctl('-o', options, '-l', join(dir, 'log'), 'start')
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    url: `postgres://postgres@127.0.0.1:${port}/sms`,
    admin,
    /** Stops it: `fast` ends every session (57P01), as an operator's restart does. */
    stop: (mode: 'fast' | 'immediate' = 'fast') => void ctl('-m', mode, 'stop'),
    start: () => void ctl('-o', options, '-l', join(dir, 'log'), 'start'),
    restart: () => void ctl('-m', 'fast', '-o', options, 'restart'),
    dispose() {
      try {
        ctl('-m', 'immediate', 'stop')
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A Redis server of the test's own on a free port, that keeps nothing on disk. */
export async function startRedis() {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let proc: ChildProcess | undefined
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 })
    probe.on('error', () => undefined)
    for (let i = 0; i < 200; i++) {
      if (
        await probe.ping().then(
          () => true,
          () => false,
        )
      )
        break
      await new Promise((r) => setTimeout(r, 25))
    }
    probe.disconnect()
  }
  await start()
  return {
    url,
    start,
    async kill() {
      const exited = new Promise((r) => proc?.once('exit', r))
      proc?.kill('SIGKILL')
      await exited
    },
  }
}
