import type { DocumentNode } from 'graphql'

/** An operation as the execution hooks name it: its parsed document and operation name. */
interface Operation {
  document: DocumentNode
  operationName?: string | null
}

/** Values kept by parsed document (yoga reuses one) and operation name. */
export function byOperation<T>() {
  const byDocument = new WeakMap<DocumentNode, Map<string, T>>()
  return {
    has: (args: Operation) => byDocument.get(args.document)?.has(args.operationName ?? '') ?? false,
    get: (args: Operation) => byDocument.get(args.document)?.get(args.operationName ?? ''),
    set(args: Operation, value: T) {
      byDocument.set(args.document, (byDocument.get(args.document) ?? new Map()).set(args.operationName ?? '', value))
    },
  }
}
