import { type DocumentNode, type ExecutionResult, visit } from 'graphql'
import type { Viewer } from '../auth.js'
import { AppError, refusalError } from '../errors.js'
import type { DeliveryUpdates } from './deliveryUpdates.js'
import { SharedSubscriptions } from './sharedSubscriptions.js'

type Subscribed = AsyncIterableIterator<ExecutionResult> | ExecutionResult
type Operation = { query?: string; operationName?: string | null; variables?: unknown }

/** The name a shared execution is held under (in DeliveryUpdates): its user and role, not the key that opened it. */
export const sharedName = (viewer: Viewer) => `shared:${viewer.userId}:${viewer.role}`

/**
 * Whether a subscription asks for the current state first (includeCurrent): then it runs on its
 * own, since a shared execution has sent its current state to its first subscriber only.
 */
export function asksCurrentState(document: DocumentNode, variables: Record<string, unknown> | null | undefined): boolean {
  const defaults = new Map<string, boolean>()
  const named: string[] = []
  let asks = false
  visit(document, {
    VariableDefinition(node) {
      if (node.defaultValue?.kind === 'BooleanValue') defaults.set(node.variable.name.value, node.defaultValue.value)
    },
    Argument(node) {
      if (node.name.value !== 'includeCurrent') return
      if (node.value.kind === 'BooleanValue') asks ||= node.value.value
      if (node.value.kind === 'Variable') named.push(node.value.name.value)
    },
  })
  return asks || named.some((name) => (variables?.[name] ?? defaults.get(name)) === true)
}

/**
 * Subscriptions of one user's keys of one role with the same document and variables get the same
 * results (what a key may see depends on its user and role only), so they share one execution.
 * Each subscriber still holds a seat of its own key; a refused seat is an answer, not a throw.
 * The subscribers of each key are known, so a revoked key's end at once (and only theirs).
 */
export class SubscriptionSharing {
  private readonly shared = new SharedSubscriptions()
  private readonly byKey = new Map<string, Set<AsyncIterableIterator<ExecutionResult>>>()

  constructor(private readonly updates: Pick<DeliveryUpdates, 'reserve'>) {}

  async subscribe(viewer: Viewer, operation: Operation, run: () => Promise<Subscribed>): Promise<Subscribed> {
    const key = JSON.stringify([viewer.userId, viewer.role, operation.query, operation.operationName ?? null, operation.variables ?? null])
    let free: () => void
    try {
      free = this.updates.reserve(viewer.keyId)
    } catch (e) {
      if (e instanceof AppError) return { errors: [refusalError(e.code, e.message)] }
      throw e
    }
    const mine = this.byKey.get(viewer.keyId) ?? new Set()
    this.byKey.set(viewer.keyId, mine)
    let out: Subscribed | undefined
    let left = false
    const gone = () => {
      left = true
      free()
      if (out && Symbol.asyncIterator in out) mine.delete(out)
      if (mine.size === 0 && this.byKey.get(viewer.keyId) === mine) this.byKey.delete(viewer.keyId)
    }
    try {
      out = await this.shared.subscribe(key, run, gone)
    } catch (e) {
      gone()
      throw e
    }
    if (!(Symbol.asyncIterator in out)) gone()
    else if (!left) mine.add(out)
    return out
  }

  /** Ends the subscribers of a key (revoked); the executions they shared go on for the others. */
  async endKey(keyId: string): Promise<void> {
    await Promise.all([...(this.byKey.get(keyId) ?? [])].map((s) => s.return?.()))
  }
}
