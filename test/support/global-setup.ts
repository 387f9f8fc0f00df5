import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { createPostgresDatabase, migrate } from '../../harness/databases.js'

/** Migrates one template database per run; each test file then gets a fresh copy of it. */
export default async function setup(project: TestProject) {
  if (project.config.env.TEST_DB === 'own') return
  if (project.config.env.TEST_DB === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sms-tpl-'))
    const file = join(dir, 'template.db')
    migrate(`file:${file}`)
    project.provide('template', file)
    return () => rmSync(dir, { recursive: true, force: true })
  }
  const template = await createPostgresDatabase(process.env.TEST_DATABASE_URL as string, 'sms_tpl')
  migrate(template.url)
  project.provide('template', template.name)
  return template.drop
}

declare module 'vitest' {
  export interface ProvidedContext {
    template: string
  }
}
