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
  type SourceLocation,
  TypeInfo,
  type VariableDefinitionNode,
  visit,
  visitWithTypeInfo,
} from 'graphql'
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit'
import type { Plugin } from 'graphql-yoga'
import { byOperation } from './byOperation.js'

/**
 * A field Pothos resolves through the plan it made for the rows above it (a relation, or a field
 * selecting more than its own column). Pothos finds such plans by the identity of `info.path`
 * objects, which graphql-jit builds anew for each resolver: the plan would be missed.
 */
const planned = (field: GraphQLField<unknown, unknown>) =>
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
 * - an alias holding `_`: it names each field's resolve info by its response path, leaf first, joined
 *   with `_` (`b_a` at the top and `b` under `a` would share one), and builds answers as object literals,
 *   where a `__proto__` key sets the prototype.
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
        return (field && planned(field)) || node.alias?.value.includes('_') ? refuse() : undefined
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
 * The most documents compiled per process, and the longest compiled: graphql-jit keeps a little
 * memory for each compile for good (its memoized paths), each compiled query holds its document,
 * and callers choose their documents. Past the limit, new documents run on graphql-js.
 */
export const COMPILED_LIMITS = { documents: 500, characters: 4000 }

/**
 * Queries of plain fields run as compiled JavaScript (graphql-jit) rather than through the
 * interpreting executor: a page of 50 deliveries costs about a sixth less CPU (BENCHMARKS.md).
 * Compiled when an authenticated caller (a key, or the operator) first runs it past the guards,
 * and kept by its text and operation name (yoga parses a text again after an hour); `counted`
 * hears how many are kept. Mutations, subscriptions, documents `compilable` refuses, anonymous
 * callers or callers with a refusal, and any document graphql-jit cannot compile run on graphql-js.
 */
export function useCompiledQueries(enabled: boolean, limits = COMPILED_LIMITS, counted: (documents: number) => void = () => {}): Plugin {
  const compiled = new Map<string, Compiled>()
  /** Operations not compiled. */
  const interpreted = byOperation<true>()
  const compiledFor = ({ schema, document, operationName }: ExecutionArgs): Compiled | undefined => {
    const name = operationName ?? ''
    const text = document.loc?.source.body
    if (text === undefined || text.length > limits.characters || interpreted.has({ document, operationName })) return undefined
    const key = `${name}\n${text}`
    const known = compiled.get(key)
    if (known || compiled.size >= limits.documents) return known
    const operation = getOperationAST(document, operationName)
    const query =
      operation?.operation === 'query' && compilable(schema, document)
        ? compileQuery(schema, document, name || undefined, { disablingCapturingStackErrors: true })
        : null
    if (operation && query && isCompiledQuery(query)) {
      const entry = { query, variables: operation.variableDefinitions ?? [] }
      compiled.set(key, entry)
      counted(compiled.size)
      return entry
    }
    // Only names of the document's operations are kept: a caller's made-up names are not.
    if (operation) interpreted.set({ document, operationName }, true)
    return undefined
  }
  return {
    onExecute({ executeFn, setExecuteFn }) {
      if (!enabled) return
      // Chosen when the operation runs: a guard refusing it stops it before, and a refusal set by
      // a later hook is read then.
      setExecuteFn((a) => {
        const { auth, refusal } = a.contextValue as { auth?: unknown; refusal?: unknown }
        const entry = auth && !refusal ? compiledFor(a) : undefined
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
