import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType } from 'graphql'
import { describe, expect, it } from 'vitest'
import { schema } from '../../src/schema/index.js'

// GraphiQL's docs explorer is the API's reference: nothing in it goes unexplained.
describe('schema descriptions', () => {
  it('describe every type, field, argument, input field and enum value', () => {
    const missing: string[] = []
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue
      if (!type.description) missing.push(type.name)
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`)
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`)
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`)
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`)
      if (isUnionType(type) && !type.description) missing.push(type.name)
    }
    expect(missing).toEqual([])
  })
})
