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

  it('never writes a credential or a secret, at the top or one level down', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sms-log-')), 'service.log')
    const logger = createLogger({ level: 'info', file })
    const secrets = ['tok-1', 'sec-2', 'whsec-3', 'v1.sealed', 'sk_live_4']
    logger.info({ token: 'tok-1', credentials: { accountSid: 'AC1', token: 'tok-1' }, secret: 'sec-2' }, 'credentials')
    logger.info(
      { endpoint: { signingSecret: 'whsec-3', secret: 'sec-2' }, account: { authTokenEnc: 'v1.sealed' }, key: 'sk_live_4' },
      'more',
    )
    const written = readFileSync(file, 'utf8')
    for (const s of secrets) expect(written).not.toContain(s)
    expect(written).toContain('AC1')
  })
})
