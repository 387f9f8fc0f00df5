import { readFileSync } from 'node:fs'
import { buildSchema, isAbstractType } from 'graphql'
import { describe, expect, it } from 'vitest'
import possibleTypes from '../../client/generated/possible-types.js'

describe('the typed client (client/, npm run client:generate)', () => {
  it('knows every union and interface member of schema.graphql, as Apollo Client’s possibleTypes needs', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'))
    const expected = Object.fromEntries(
      Object.values(schema.getTypeMap())
        .filter(isAbstractType)
        .map((t) => [
          t.name,
          schema
            .getPossibleTypes(t)
            .map((m) => m.name)
            .sort(),
        ]),
    )
    const generated = Object.fromEntries(Object.entries(possibleTypes.possibleTypes).map(([k, v]) => [k, [...v].sort()]))
    expect(generated).toEqual(expected)
    expect(generated.SendSmsToolCallResult).toEqual(['SendSmsError', 'SendSmsToolCallSuccess'])
  })
})
