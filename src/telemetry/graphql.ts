import { type GraphQLError, getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'

/** An error's code as the caller will see it: ours (AppError), GraphQL's, or INTERNAL. */
const codeOf = (e: GraphQLError) => {
  const original = e.originalError
  if (original instanceof AppError) return original.code
  const code = e.extensions?.code
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'INTERNAL'
}

const MAX_NAMES = 200
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

/**
 * Operation names as metric labels: callers choose them, so only well-formed names count, up to
 * MAX_NAMES of them per process; the rest share 'other' (a label set must not grow without end).
 */
export function operationLabels() {
  const seen = new Set<string>()
  return (name: string | undefined) => {
    if (!name) return 'anonymous'
    if (seen.has(name)) return name
    if (!NAME.test(name) || seen.size >= MAX_NAMES) return 'other'
    seen.add(name)
    return name
  }
}

/** Each GraphQL execution: a span (when tracing is on), its duration and its errors by code, per operation. */
export function useOperationTelemetry({ tracing, metrics }: Pick<Services, 'tracing' | 'metrics'>): Plugin {
  const label = operationLabels()
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName)
      const type = operation?.operation ?? 'query'
      const name = label(operation?.name?.value)
      const started = performance.now()
      if (tracing.tracer) {
        const attributes = { 'graphql.operation.type': type, 'graphql.operation.name': name }
        setExecuteFn((a) => tracing.span(`graphql.${type} ${name}`, { attributes }, async () => executeFn(a)))
      }
      return {
        onExecuteDone({ result }) {
          metrics.graphqlDuration.observe({ operation: name, type }, (performance.now() - started) / 1000)
          const errors = 'errors' in result ? (result.errors ?? []) : []
          for (const e of errors) metrics.graphqlErrors.inc({ operation: name, type, code: codeOf(e) })
        },
      }
    },
  }
}
