import { type GraphQLSchema, isObjectType, isUnionType } from 'graphql'

const PAGE_ARGS: Record<string, string> = {
  first: 'How many, from the start (20 by default, 100 at most).',
  after: 'The cursor to continue after (endCursor of the page before).',
  last: 'How many, from the end.',
  before: 'The cursor to continue before (startCursor of the page after).',
}

const CONNECTION: Record<string, Record<string, string>> = {
  PageInfo: {
    '': 'Where a page stands in the whole list.',
    hasNextPage: 'Whether there are more after this page.',
    hasPreviousPage: 'Whether there are more before this page.',
    startCursor: 'The cursor of the page’s first item.',
    endCursor: 'The cursor of the page’s last item: pass it as `after` for the next page.',
  },
}

/**
 * Describes what the plugins generate (mutation results and their success types, connections,
 * edges, page cursors, root types), so that nothing in GraphiQL's docs goes unexplained.
 */
export function describeGenerated(schema: GraphQLSchema): GraphQLSchema {
  const roots: Record<string, string> = {
    Query: 'What can be read. Every query answers only the caller’s own data.',
    Mutation: 'What can be changed. Each answers its <Name>Result: its <Name>Success type, or an Error member.',
    Subscription: 'What can be followed live (graphql-ws, or Server-Sent Events).',
  }
  for (const type of Object.values(schema.getTypeMap())) {
    const { name } = type
    if (roots[name]) type.description ??= roots[name]
    if (isUnionType(type) && name.endsWith('Result')) {
      type.description ??= `What ${lower(name.slice(0, -6))} answers: ${name.slice(0, -6)}Success, or the error that refused it.`
    }
    if (!isObjectType(type)) continue
    const table = CONNECTION[name]
    if (table) {
      type.description ??= table['']
      for (const field of Object.values(type.getFields())) field.description ??= table[field.name]
    }
    if (name.endsWith('Success')) {
      type.description ??= `${lower(name.slice(0, -7))} succeeded.`
      for (const field of Object.values(type.getFields())) field.description ??= `The ${field.name}, as it now is.`
    }
    if (name.endsWith('Connection')) {
      type.description ??= `A page of ${name.slice(0, -10)} items, newest first.`
      for (const field of Object.values(type.getFields())) {
        field.description ??= field.name === 'edges' ? 'The page’s items, each with its cursor.' : 'Where the page stands.'
      }
    }
    if (name.endsWith('Edge')) {
      type.description ??= `One ${name.slice(0, -4)} of a page, with its cursor.`
      for (const field of Object.values(type.getFields())) field.description ??= field.name === 'node' ? 'The item.' : 'Its cursor.'
    }
    for (const field of Object.values(type.getFields())) for (const arg of field.args) arg.description ??= PAGE_ARGS[arg.name]
  }
  return schema
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
