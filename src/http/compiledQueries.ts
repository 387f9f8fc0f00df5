import {
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  type OperationDefinitionNode,
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
 * Whether graphql-jit may compile `document`. Only fields that do not depend on Pothos' per-row
 * plans, and nothing graphql-jit mishandles:
 * - literals other than numbers, booleans, null and enum values: it writes argument literals into
 *   its generated code, where a string in the form of its date marker would run as code;
 * - a name holding that marker, as a JSON scalar's enum-like value would;
 * - a variable's default value: written as JSON, a DateTime arrives as text;
 * - directives: it keeps @skip and @include conditions on the document's nodes, which yoga shares
 *   between requests, and adds to them at each compile;
 * - a `__proto__` alias: it builds answers as object literals, where that key sets the prototype.
 */
export function compilable(schema: GraphQLSchema, document: DocumentNode): boolean {
  const types = new TypeInfo(schema)
  let refused = false
  const refuse = () => {
    refused = true
    return BREAK
  }
  visit(
    document,
    visitWithTypeInfo(types, {
      StringValue: refuse,
      ObjectValue: refuse,
      Directive: refuse,
      Name: (node) => (node.value.includes('__MAGIC') ? refuse() : undefined),
      VariableDefinition: (node) => (node.defaultValue ? refuse() : undefined),
      Field(node) {
        const field = types.getFieldDef()
        return (field && PLANNED(field)) || node.alias?.value === '__proto__' ? refuse() : undefined
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
 * At most this many compiles per process: graphql-jit keeps a little memory for each compile for
 * good (its memoized paths), and callers choose their documents. Past it, new documents run on
 * graphql-js.
 */
export const MAX_COMPILES = 1000

/**
 * Queries of plain fields run as compiled JavaScript (graphql-jit) rather than through the
 * interpreting executor: a page of 50 deliveries costs about a fifth less CPU (BENCHMARKS.md).
 * Compiled when first run, once the guards have let it through, once per parsed document (yoga
 * reuses those) and operation name. Mutations, subscriptions, documents `compilable` refuses,
 * refused callers and any document graphql-jit cannot compile run on graphql-js.
 */
export function useCompiledQueries(enabled: boolean, maxCompiles = MAX_COMPILES): Plugin {
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled | null>>()
  let compiles = 0
  const compile = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => {
    if (operation.operation !== 'query' || compiles >= maxCompiles || !compilable(schema, document)) return null
    compiles++
    const query = compileQuery(schema, document, operation.name?.value, { disablingCapturingStackErrors: true })
    return isCompiledQuery(query) ? { query, variables: operation.variableDefinitions ?? [] } : null
  }
  const compiledFor = ({ schema, document, operationName }: ExecutionArgs) => {
    let byName = compiled.get(document)
    if (!byName) {
      byName = new Map()
      compiled.set(document, byName)
    }
    const name = operationName ?? ''
    let entry = byName.get(name)
    if (entry === undefined) {
      const operation = getOperationAST(document, operationName)
      if (!operation) return null
      // Only names of the document's operations are kept: a caller's made-up names are not.
      entry = compile(schema, document, operation)
      byName.set(name, entry)
    }
    return entry
  }
  return {
    onExecute({ executeFn, setExecuteFn }) {
      if (!enabled) return
      // Chosen when the operation runs: a guard refusing it stops it before, and a refusal set by
      // a later hook is read then.
      setExecuteFn((a) => {
        const entry = (a.contextValue as { refusal?: unknown }).refusal ? null : compiledFor(a)
        return entry ? run(entry, a) : executeFn(a)
      })
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
