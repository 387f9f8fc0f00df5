import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_VARIABLES } from '../../src/config.js'

describe('README', () => {
  it('lists every variable the configuration accepts, and no other', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1))
    const rows = section.split('\n').filter((l) => l.startsWith('| `'))
    const documented = rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]))
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort())
  })
})
