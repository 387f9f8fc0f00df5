import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../harness/net.js'
import { config } from './support/helpers.js'

const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
})

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm start', () => {
  it('passes SIGTERM on to the server, which stops gracefully; a second signal is handled, not fatal', async () => {
    const port = await freePort()
    const npm = spawn('npm', ['start'], {
      env: {
        ...process.env,
        DATABASE_URL: `file:${join(dirname(config.logFile as string), 'lifecycle.db')}`,
        PORT: String(port),
        LOG_FILE: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(npm)
    let out = ''
    npm.stdout?.on('data', (d) => {
      out += String(d)
    })
    npm.stderr?.on('data', (d) => {
      out += String(d)
    })
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)))
    const pid = await new Promise<number>((resolve, reject) => {
      npm.stdout?.on('data', () => {
        const m = /"pid":(\d+)[^\n]*"msg":"listening"/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      npm.once('exit', () => reject(new Error(`npm start exited:\n${out}`)))
    })
    expect(pid).not.toBe(npm.pid)
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    npm.kill('SIGTERM')
    npm.kill('SIGINT')
    expect(await exited).toBe(0)
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
    expect(alive(pid)).toBe(false)
    const stops = out.split('\n').filter((l) => l.includes('"msg":"shutting down"'))
    expect(stops.map((l) => JSON.parse(l).signal).sort()).toEqual(['SIGINT', 'SIGTERM'])
  }, 60_000)

  it('tells what to do when the server is started on a database without tables, or without the latest migration', () => {
    const file = join(dirname(config.logFile as string), 'unmigrated.db')
    const server = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...process.env, DATABASE_URL: `file:${file}`, PORT: '0', LOG_FILE: '' },
        encoding: 'utf8',
        timeout: 30_000,
      })
    const fresh = server()
    expect(fresh.status).toBe(1)
    expect(fresh.stderr).toMatch(/The database misses \d+ migration\(s\): run `npm run db:migrate` first/)
    expect(fresh.stderr).not.toContain('    at ')
    // Migrated, then the last migration forgotten (as a database migrated by an older release).
    expect(spawnSync('npm', ['run', '-s', 'db:migrate'], { env: { ...process.env, DATABASE_URL: `file:${file}` } }).status).toBe(0)
    const db = new Database(file)
    db.prepare('DELETE FROM "_prisma_migrations" WHERE "migration_name" = (SELECT MAX("migration_name") FROM "_prisma_migrations")').run()
    db.close()
    const behind = server()
    expect(behind.status).toBe(1)
    expect(behind.stderr).toContain('The database misses 1 migration(s)')
  })

  it('says in one line when the database cannot be reached at start', async () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none`, PORT: '0', LOG_FILE: '' },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^The database cannot be read: .+\n$/)
  })
})
