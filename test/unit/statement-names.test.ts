import { describe, expect, it } from 'vitest'
import { operationOf } from '../../src/telemetry/statements.js'

describe('statement span names', () => {
  it('names a statement by its verb, and a WITH statement by its first query’s verb', () => {
    expect(operationOf('  select * from "User"')).toBe('SELECT')
    expect(operationOf('UPDATE "SmsDelivery" SET x = 1 RETURNING *')).toBe('UPDATE')
    expect(
      operationOf(
        'WITH moved AS (UPDATE "SmsDelivery" SET a = (1) RETURNING *), logged AS (INSERT INTO e SELECT 1 FROM moved) SELECT * FROM moved',
      ),
    ).toBe('UPDATE')
    expect(operationOf('WITH x AS MATERIALIZED ( SELECT 1 ) DELETE FROM y')).toBe('SELECT')
    expect(operationOf('')).toBe('SQL')
  })
})
