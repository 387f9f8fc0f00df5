import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql'

/**
 * The path of a plain list of items whose type is already on the path above it (`campaigns {
 * smsActions { campaigns … } }`, `smsAction { campaigns { smsActions … } }`), or undefined. The
 * cost rule guesses ten items a list, yet an account may hold a thousand campaigns each with a
 * thousand actions: a list of what encloses it grows as a power of what the account holds, past
 * any guess, and no client needs that. Connections (`edges`) are left to the cost rule, which
 * multiplies by their `first`. Directives are not read: such a field is refused even when skipped.
 */
export function listInsideItself(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): string | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const root = schema.getRootType(operation.operation)
  if (!root) return undefined
  const walk = (
    set: SelectionSetNode,
    parent: GraphQLCompositeType,
    above: string[],
    path: string,
    seen: Set<string>,
  ): string | undefined => {
    for (const selection of set.selections) {
      let found: string | undefined
      if (selection.kind === Kind.FIELD) {
        const field = 'getFields' in parent ? parent.getFields()[selection.name.value] : undefined
        if (!field || !selection.selectionSet) continue
        const named = getNamedType(field.type)
        if (!isCompositeType(named)) continue
        const at = path ? `${path}.${selection.name.value}` : selection.name.value
        const plainList = isListType(getNullableType(field.type)) && selection.name.value !== 'edges'
        if (plainList && above.includes(named.name)) return at
        found = walk(selection.selectionSet, named, [...above, named.name], at, seen)
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent
        if (on && isCompositeType(on)) found = walk(selection.selectionSet, on, above, path, seen)
      } else {
        const fragment = fragments.get(selection.name.value)
        const on = fragment && schema.getType(fragment.typeCondition.name.value)
        if (!fragment || !on || !isCompositeType(on) || seen.has(fragment.name.value)) continue
        found = walk(fragment.selectionSet, on, above, path, new Set(seen).add(fragment.name.value))
      }
      if (found) return found
    }
    return undefined
  }
  return walk(operation.selectionSet, root, [], '', new Set())
}
