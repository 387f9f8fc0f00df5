import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql'

/**
 * The names (not aliases) of the fields asked for at `path` below the resolving field, through
 * fragments and whatever their directives say (a superset is safe; a field missed is not).
 */
export function fieldsAt(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  const names = new Set<string>()
  const seen = new Set<string>()
  const visit = (set: SelectionSetNode | undefined, depth: number): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth)
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value
        if (seen.has(`${depth}:${name}`)) continue
        seen.add(`${depth}:${name}`)
        visit(info.fragments[name]?.selectionSet, depth)
      } else if (depth === path.length) names.add(selection.name.value)
      else if (selection.name.value === path[depth]) visit(selection.selectionSet, depth + 1)
    }
  }
  for (const node of info.fieldNodes) visit(node.selectionSet, 0)
  return names
}
