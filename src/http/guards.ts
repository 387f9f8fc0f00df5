import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor'
import { complexityFromQuery } from '@pothos/plugin-complexity'
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type ValidationContext,
  visit,
} from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { Config } from '../config.js'
import { refusalError } from '../errors.js'
import type { Context } from '../schema/context.js'
import { BAD_CHARACTER_MESSAGE, hasBadCharacter } from '../text.js'
import { byOperation } from './byOperation.js'
import { budgetKey } from './callers.js'
import { badIdLiteral, badIdVariable } from './idArguments.js'
import { listInsideItself } from './listNesting.js'

const refusal = (code: string, message: string, extra: Record<string, unknown> = {}) => refusalError(code, message, { extensions: extra })

/**
 * What one operation may cost, checked before it runs (over HTTP, SSE and graphql-ws alike, all of
 * which go through yoga's envelop): tokens, depth, aliases and directives (GraphQL Armor, while
 * parsing and validating; both cached per document), and a total cost in which a connection's
 * `first` and a list's size multiply what is selected under it (Pothos' complexity). The cost
 * depends on the request's variables, so it is computed per request when the operation is about
 * to run, not by a validation rule (whose results are cached per document).
 */
export function costGuards(limits: Config['graphql']): Plugin<Context>[] {
  // Validation rules report their refusal like any validation error (rather than throwing, which
  // graphql-ws would take for a crash); the token limit applies while parsing, so it throws.
  const refused = (code: string) => ({
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, error: GraphQLError) => {
        Object.assign(error.extensions, { code })
        if (ctx) ctx.reportError(error)
        else throw error
      },
    ],
  })
  return [
    EnvelopArmorPlugin({
      maxTokens: { n: limits.maxTokens, ...refused('QUERY_TOO_LARGE') },
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...refused('QUERY_TOO_DEEP') },
      maxAliases: { n: limits.maxAliases, ...refused('TOO_MANY_ALIASES') },
      maxDirectives: { n: limits.maxDirectives, ...refused('TOO_MANY_DIRECTIVES') },
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: false },
    }) as Plugin<Context>,
    costLimit(limits),
  ]
}

/** What an operation is about to run with, as envelop hands it to onExecute and onSubscribe. */
interface OperationArgs {
  schema: GraphQLSchema
  document: DocumentNode
  operationName?: string | null
  variableValues?: Record<string, unknown> | null
  contextValue: Context
}

type Refuse = (args: OperationArgs) => GraphQLError | undefined | Promise<GraphQLError | undefined>

/** Hooks refusing an operation before it runs, over HTTP, SSE and graphql-ws alike, when `refuse` answers an error. */
function refusing(refuse: Refuse): Plugin<Context> {
  const hook = ({ args, setResultAndStopExecution }: { args: OperationArgs; setResultAndStopExecution: (r: ExecutionResult) => void }) => {
    const stop = (error: GraphQLError | undefined) => {
      if (error) setResultAndStopExecution({ errors: [error] })
    }
    // A synchronous check answers synchronously: no promise on the way of every operation.
    const error = refuse(args)
    return error instanceof Promise ? error.then(stop) : stop(error)
  }
  return { onExecute: hook, onSubscribe: hook }
}

/**
 * A caller refused as a whole (its request budget spent, or the database down) has its queries and
 * subscriptions refused before they run, rather than field by field; its mutations run, so that
 * sendSms and previewSms answer the refusal as their typed error with an agentMessage, at once.
 * A rate-limited query or subscription is answered when the caller's budget refills (at most
 * `holdMs` later): a client that asks again as soon as it is refused would otherwise keep the
 * service busy refusing it, at the expense of every other caller.
 */
export function callerRefusal(holdMs: number): Plugin<Context> {
  return refusing(({ contextValue: { refusal: refused }, document, operationName }) => {
    if (!refused || operationOf(document, operationName)?.operation === 'mutation') return undefined
    const error = refusal(refused.code, refused.message)
    const hold = Math.min(refused.retryInMs ?? 0, holdMs)
    return hold > 0 ? new Promise((answer) => setTimeout(() => answer(error), hold)) : error
  })
}

/** The cost of an operation without variables. */
const costs = byOperation<number>()

/** The operation's cost (no field's cost reads the context: only the document and its arguments); undefined when the variables do not fit. */
function costOf(args: OperationArgs): number | undefined {
  const constant = !args.variableValues || Object.keys(args.variableValues).length === 0
  const known = constant ? costs.get(args) : undefined
  if (known !== undefined) return known
  const operation = operationOf(args.document, args.operationName)
  const document = {
    ...args.document,
    definitions: args.document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  }
  let cost: number
  try {
    cost = complexityFromQuery(document, { schema: args.schema, ctx: args.contextValue, variables: args.variableValues ?? {} }).complexity
  } catch {
    return undefined
  }
  if (constant) costs.set(args, cost)
  return cost
}

type CostLimits = Pick<Config['graphql'], 'maxComplexity' | 'maxSubscriptionComplexity'>

/** The operation's cost, also left on its context for the cost budget and pacing; over the limit, the refusal. */
function overCost(args: OperationArgs, limits: CostLimits): GraphQLError | undefined {
  const cost = costOf(args)
  if (cost === undefined) return undefined // variables that do not fit the operation: execution answers that, running nothing
  Object.assign(args.contextValue, { cost })
  const subscription = operationOf(args.document, args.operationName)?.operation === 'subscription'
  const limit = subscription ? limits.maxSubscriptionComplexity : limits.maxComplexity
  if (cost <= limit) return nestedList(args)
  const what = subscription ? 'Subscription cost (its selection runs for every event)' : 'Query cost'
  return refusal('QUERY_TOO_COMPLEX', `${what} ${cost} is over the limit of ${limit}`, { cost, limit })
}

/** Where an operation lists items already above them (it depends on nothing but the document). */
const nestings = byOperation<string | undefined>()

function nestedList(args: OperationArgs): GraphQLError | undefined {
  if (!nestings.has(args)) {
    const operation = operationOf(args.document, args.operationName)
    nestings.set(args, operation && listInsideItself(args.schema, args.document, operation))
  }
  const at = nestings.get(args)
  return at ? refusal('QUERY_TOO_COMPLEX', `${at} lists items already above it: its size has no bound`, { field: at }) : undefined
}

/** Refuses an operation costing more than its limit before it runs (QUERY_TOO_COMPLEX). */
function costLimit(limits: CostLimits): Plugin<Context> {
  return refusing((args) => overCost(args, limits))
}

/**
 * Each operation spends its cost from its key's budget per second (KEY_QUERY_COST_PER_SECOND), so
 * a few heavy reads cannot crowd out everyone else's requests.
 */
export function costBudget(spend: (who: string, cost: number) => Promise<{ code: string; message: string } | undefined>): Plugin<Context> {
  const check = async (context: Context & { cost?: number; req?: { socket?: { remoteAddress?: string } } }) => {
    if (!context.cost || context.refusal) return undefined
    const over = await spend(budgetKey(context.auth, context.req?.socket?.remoteAddress), context.cost)
    return over && refusal(over.code, over.message)
  }
  return refusing((args) => check(args.contextValue))
}

const isIntrospection = (doc: DocumentNode) => {
  let found = false
  visit(doc, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true
    },
  })
  return found
}

/** "Did you mean …?" hints name fields an anonymous caller should not learn about. */
const withoutSuggestions = (error: GraphQLError) => {
  if (!/Did you mean/.test(error.message)) return error
  const { nodes, extensions } = error
  return new GraphQLError(error.message.replace(/\s*Did you mean[^?]*\?/g, ''), { nodes, extensions })
}

/** Callers without a key learn nothing of the schema: no introspection (unless allowed), no suggestions. */
export function schemaPrivacy(publicIntrospection: boolean): Plugin<Context> {
  const introspection = refusal('UNAUTHENTICATED', 'Introspection needs an API key')
  return {
    ...refusing((args) => (publicIntrospection || args.contextValue.auth || !isIntrospection(args.document) ? undefined : introspection)),
    // On the answer rather than after validation: validation results are reused for the next caller
    // of the same document, who may hold a key. graphql-ws needs a key, so HTTP and SSE are all.
    onResultProcess({ result, setResult, serverContext }) {
      if ((serverContext as { auth?: unknown }).auth || Array.isArray(result) || !('errors' in result) || !result.errors?.length) return
      setResult({ ...result, errors: result.errors.map(withoutSuggestions) })
    },
  }
}

/**
 * Where a value holds a string with a character no field accepts, as a path (`input.body`);
 * undefined when clean. Walked with a stack of its own: variables nested thousands deep would
 * exhaust the call stack.
 */
export function badCharacterAt(value: unknown, path: string): string | undefined {
  const pending: [unknown, string][] = [[value, path]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [v, at] = next
    if (typeof v === 'string' && hasBadCharacter(v)) return at
    if (!v || typeof v !== 'object') continue
    const entries = Object.entries(v)
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i] as [string, unknown]
      pending.push([inner, at ? `${at}.${key}` : key])
    }
  }
  return undefined
}

const operationOf = (doc: DocumentNode, name?: string | null) =>
  doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!name || d.name?.value === name))

/**
 * Queries and subscriptions whose arguments hold such characters are refused with VALIDATION
 * naming the argument. Mutations are checked by their own input rules, so they answer typed
 * errors; only their IDs, which have no rules, are checked here.
 */
export function characterGuard(): Plugin<Context> {
  // The literals are the document's: looked at once per parsed document.
  const literals = new WeakMap<DocumentNode, string | null>()
  const badLiteralIn = (document: DocumentNode) => {
    let literal: string | null = null
    visit(document, {
      Argument(node) {
        if (!literal && node.value.kind === Kind.STRING && hasBadCharacter(node.value.value)) literal = node.name.value
      },
    })
    literals.set(document, literal)
    return literal
  }
  const idLiterals = new WeakMap<DocumentNode, string | null>()
  const badIdAt = (
    args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: unknown },
    mutation: OperationDefinitionNode,
  ) => {
    let literal = idLiterals.get(args.document)
    if (literal === undefined) {
      literal = badIdLiteral(args.schema, args.document)
      idLiterals.set(args.document, literal)
    }
    return literal ?? badIdVariable(args.schema, mutation, (args.variableValues ?? {}) as Record<string, unknown>)
  }
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: unknown }) => {
    const operation = operationOf(args.document, args.operationName)
    if (operation?.operation === 'mutation') {
      const at = badIdAt(args, operation)
      return at ? refusal('VALIDATION', `${at}: ${BAD_CHARACTER_MESSAGE}`, { field: at }) : undefined
    }
    const literal = literals.has(args.document) ? literals.get(args.document) : badLiteralIn(args.document)
    const at = literal ?? badCharacterAt(args.variableValues ?? {}, '')
    return at ? refusal('VALIDATION', `${at}: ${BAD_CHARACTER_MESSAGE}`, { field: at }) : undefined
  }
  return refusing(check)
}
