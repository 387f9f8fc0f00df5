import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'

describe('the log', () => {
  it('keeps what an error says, passed as an Error or as its message, numbers masked', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sms-log-')), 'service.log')
    const logger = createLogger({ level: 'info', file })
    logger.warn({ err: 'connect ECONNREFUSED for +14155550123' }, 'as a message')
    logger.warn({ err: new Error('refused +14155550123') }, 'as an Error')
    const [message, error] = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).err)
    expect(message).toEqual({ message: 'connect ECONNREFUSED for +*******0123' })
    expect(error).toMatchObject({ type: 'Error', message: 'refused +*******0123' })
  })
})
