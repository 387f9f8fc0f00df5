import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'

const prismaEnv = (url: string) => ({
  ...process.env,
  DATABASE_URL: url,
  PRISMA_SCHEMA_ENGINE_BINARY: 'package.json',
  PRISMA_QUERY_ENGINE_LIBRARY: 'package.json',
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
})

/** Runs the committed migrations into `url`, through the same CLI command that `npm start` uses. */
export function migrate(url: string) {
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: prismaEnv(url), stdio: 'pipe' })
}

/** Migrates one template database per run; each test file then gets a fresh copy of it. */
export default async function setup(project: TestProject) {
  const kind = project.config.env.TEST_DB
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sms-tpl-'))
    const file = join(dir, 'template.db')
    migrate(`file:${file}`)
    project.provide('template', file)
    return () => rmSync(dir, { recursive: true, force: true })
  }
  const admin = process.env.TEST_DATABASE_URL as string
  const name = `sms_tpl_${process.pid}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS ${name}`)
  await client.query(`CREATE DATABASE ${name}`)
  await client.end()
  const url = new URL(admin)
  url.pathname = `/${name}`
  migrate(url.href)
  project.provide('template', name)
  return async () => {
    const c = new pg.Client({ connectionString: admin })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    template: string
  }
}
