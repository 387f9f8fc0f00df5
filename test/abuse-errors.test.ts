import { statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { Run } from '../harness/client.js'

// Production defaults without asking: with NODE_ENV unset, an internal error reaches the caller
// masked (no stack, file, SQL or driver message), and the operator finds it in the log.
vi.hoisted(() => {
  delete process.env.NODE_ENV
})

const { config, createUser, db, overSocket, serviceLog } = await import('./support/helpers.js')

// Over a real socket, as a caller on the internet would meet it.
let http: Run
beforeAll(async () => {
  http = await overSocket()
})

describe('internal errors and files, with NODE_ENV unset', () => {
  it('answers an internal error masked, and logs it for the operator', async () => {
    expect(config.http.exposeErrors).toBe(false)
    const owner = await createUser()
    // A real fault from the database: a table the service reads is gone.
    await db.$executeRawUnsafe('DROP TABLE "OptOut"')
    const body = await http('{ optOuts(first: 5) { edges { node { id } } } }', {}, owner.key)
    expect(body.errors).toHaveLength(1)
    const [error] = body.errors
    expect([error.message, error.extensions]).toEqual(['Unexpected error.', { code: 'INTERNAL_SERVER_ERROR' }])
    expect(JSON.stringify(body)).not.toMatch(/"OptOut"|main\.|table|prisma|sqlite|postgres|stack|\.ts\b|\sat\s/i)
    expect(serviceLog()).toMatch(/unexpected error.*OptOut|OptOut.*unexpected error/)
  })

  it('creates the generated key file and the SQLite file readable by their owner only', async () => {
    const { loadConfig } = await import('../src/config.js')
    const { sqlitePath } = await import('../src/db/url.js')
    const dataDir = join(config.dataDir, 'fresh')
    loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development' })
    const mode = (path: string) => statSync(path).mode & 0o777
    expect([mode(dataDir), mode(join(dataDir, 'encryption.key'))]).toEqual([0o700, 0o600])
    const file = sqlitePath(`file:${join(config.dataDir, 'new', 'sms.db')}`)
    expect([mode(join(config.dataDir, 'new')), mode(file)]).toEqual([0o700, 0o600])
  })
})
