import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql'
import { hasBadCharacter } from '../text.js'

const isId = (type: GraphQLInputType | null | undefined) => Boolean(type && getNamedType(type).name === 'ID')

/** The name of the first ID literal in `document` holding a character no field accepts, or null. */
export function badIdLiteral(schema: GraphQLSchema, document: DocumentNode): string | null {
  const types = new TypeInfo(schema)
  let found: string | null = null
  visit(
    document,
    visitWithTypeInfo(types, {
      StringValue(node) {
        if (!found && isId(types.getInputType()) && hasBadCharacter(node.value)) {
          found = types.getArgument()?.name ?? 'id'
        }
      },
    }),
  )
  return found
}

/** Where an ID in a variable's value (walked along its declared type) holds such a character, as a path. */
function badIdIn(type: GraphQLInputType, value: unknown, path: string): string | undefined {
  if (value === null || value === undefined) return undefined
  if (isNonNullType(type)) return badIdIn(type.ofType, value, path)
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value]
    for (const [i, item] of items.entries()) {
      const at = badIdIn(type.ofType, item, `${path}.${i}`)
      if (at) return at
    }
    return undefined
  }
  if (isInputObjectType(type) && typeof value === 'object') {
    for (const [name, field] of Object.entries(type.getFields())) {
      const at = badIdIn(field.type, (value as Record<string, unknown>)[name], `${path}.${name}`)
      if (at) return at
    }
    return undefined
  }
  return isId(type) && typeof value === 'string' && hasBadCharacter(value) ? path : undefined
}

/**
 * Where an ID given in the operation's variables holds a character no field accepts. IDs have no
 * input rules of their own: such an id reached the database, and PostgreSQL refuses NUL outright.
 */
export function badIdVariable(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>) {
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined
    const at = type && badIdIn(type, variables[name], name)
    if (at) return at
  }
  return undefined
}
