import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  type SourceLocation,
  TypeInfo,
  type VariableDefinitionNode,
  visit,
  visitWithTypeInfo,
} from 'graphql'
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit'
import type { Plugin } from 'graphql-yoga'

/**
 * A field Pothos resolves through the plan it made for the rows above it (a relation, or a field
 * selecting more than its own column). Pothos finds such plans by the identity of `info.path`
 * objects, which graphql-jit builds anew for each resolver: the plan would be missed.
 */
const PLANNED = (field: GraphQLField<unknown, unknown>) =>
  Boolean(field.extensions?.pothosPrismaSelect) && !field.extensions?.pothosExposedField

/**
 * Whether `document` asks only for fields that do not depend on Pothos' per-row plans, under
 * response names graphql-jit can hold: it builds answers as object literals, where a `__proto__`
 * key sets the prototype instead (the field would vanish from the answer).
 */
export function compilable(schema: GraphQLSchema, document: DocumentNode): boolean {
  const types = new TypeInfo(schema)
  let refused = false
  visit(
    document,
    visitWithTypeInfo(types, {
      Field(node) {
        const field = types.getFieldDef()
        if ((field && PLANNED(field)) || node.alias?.value === '__proto__') refused = true
      },
    }),
  )
  return !refused
}

/** The offset in `body` of a line and column, as graphql-js counts them (lines end with \n, \r\n or \r). */
function offsetOf(body: string, { line, column }: SourceLocation): number {
  const ends = /\r\n|[\n\r]/g
  let start = 0
  for (let at = 1; at < line && ends.exec(body); at++) start = ends.lastIndex
  return start + column - 1
}

/**
 * graphql-jit's errors carry their locations but not the document's nodes, from which yoga rebuilds
 * each error before answering: they are made graphql-js errors at the same places in the source.
 */
function located(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  const source = document.loc?.source
  if (!result.errors?.length || !source) return result
  const errors = result.errors.map(
    (e) =>
      new GraphQLError(e.message, {
        source,
        positions: e.locations?.map((l) => offsetOf(source.body, l)),
        path: e.path,
        originalError: e.originalError ?? undefined,
        extensions: e.extensions,
      }),
  )
  return { ...result, errors }
}

const settled = <T, U>(value: T | Promise<T>, then: (v: T) => U): U | Promise<U> =>
  value instanceof Promise ? value.then(then) : then(value)

/**
 * Queries of plain fields run as compiled JavaScript (graphql-jit) rather than through the
 * interpreting executor: a page of 50 deliveries costs about a quarter less CPU (BENCHMARKS.md).
 * Compiled once per parsed document (yoga reuses those) and operation name. Mutations,
 * subscriptions, documents asking for planned fields, refused callers and any document graphql-jit
 * cannot compile run as before.
 */
export function useCompiledQueries(enabled: boolean): Plugin {
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled | null>>()
  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operationName?: string | null) => {
    let byName = compiled.get(document)
    if (!byName) {
      byName = new Map()
      compiled.set(document, byName)
    }
    const name = operationName ?? ''
    let entry = byName.get(name)
    if (entry === undefined) {
      const operation = getOperationAST(document, operationName)
      const query =
        operation?.operation === 'query' && compilable(schema, document)
          ? compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true })
          : null
      entry = operation && query && isCompiledQuery(query) ? { query, variables: operation.variableDefinitions ?? [] } : null
      // Only names of the document's operations are kept: a caller's made-up names are not.
      if (operation) byName.set(name, entry)
    }
    return entry
  }
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!enabled) return
      const entry = compiledFor(args.schema, args.document, args.operationName)
      // A refusal may be set by the guards after this hook: it is read when the operation runs.
      if (entry) setExecuteFn((a) => ((a.contextValue as { refusal?: unknown }).refusal ? executeFn(a) : run(entry, a)))
    },
  }
}

interface Compiled {
  query: CompiledQuery
  variables: readonly VariableDefinitionNode[]
}

/** Runs a compiled query; a bad variable is refused in graphql-js' words, as the interpreter refuses it. */
function run({ query, variables }: Compiled, args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult> {
  const coerced = getVariableValues(args.schema, variables, args.variableValues ?? {}, { maxErrors: 50 })
  if (coerced.errors) return { errors: coerced.errors }
  return settled(query.query(args.rootValue, args.contextValue, args.variableValues), (result) => located(result, args.document))
}
