import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core'
import type { GraphQLFieldResolver } from 'graphql'
import type { Plugin } from 'graphql-yoga'

/** An operation costing at least this much (src/http/guards.ts) is paced. */
export const PACED_COST = 1000
/** A paced list completes this many items per turn of the event loop. */
export const PACED_ITEMS = 10

/**
 * Lets the event loop turn. On SQLite the driver answers synchronously, so without this a whole
 * operation (its statements, then completing every item of its lists) runs in one turn: a page of
 * 100 deliveries with their events held every other request for 30–90 ms.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

interface Paced {
  cost?: number
}

/** The turns one paced operation takes, one after another: each chunk waits for the previous one's. */
class Pacer {
  private last: Promise<void> = Promise.resolve()
  next(): Promise<void> {
    this.last = this.last.then(nextTurn)
    return this.last
  }
}

export const isHeavy = (context: unknown) => ((context as Paced).cost ?? 0) >= PACED_COST

/** The list with every chunk of PACED_ITEMS after the first resolving a turn after the one before. */
function paced(items: unknown, pacer: Pacer): unknown {
  if (!Array.isArray(items) || items.length <= PACED_ITEMS) return items
  const result: unknown[] = items.slice(0, PACED_ITEMS)
  for (let start = PACED_ITEMS; start < items.length; start += PACED_ITEMS) {
    const turn = pacer.next()
    for (const item of items.slice(start, start + PACED_ITEMS)) result.push(turn.then(() => item))
  }
  return result
}

/**
 * Pothos plugin: in a heavy operation, lists of objects complete a chunk per turn of the event
 * loop, so other callers' requests are served between chunks rather than after the whole list.
 */
export class PacingPlugin<Types extends SchemaTypes> extends BasePlugin<Types, Pacer> {
  override createRequestData(): Pacer {
    return new Pacer()
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.type.kind !== 'List' || fieldConfig.type.type.kind !== 'Object') return resolver
    return (parent, args, context, info) => {
      const result = resolver(parent, args, context, info)
      if (!isHeavy(context)) return result
      const pacer = this.requestData(context)
      return result instanceof Promise ? result.then((items) => paced(items, pacer)) : paced(result, pacer)
    }
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      pacing: PacingPlugin<Types>
    }
  }
}

/** The plugin's name, for the builder's `plugins`. */
export const pacingPlugin = 'pacing'
SchemaBuilder.registerPlugin(pacingPlugin, PacingPlugin)

/**
 * Operations that take turns. Heavy operations run one at a time: run together, a light request
 * would wait, at each of its own steps, for a chunk of every one of them. Turns go round the
 * holders (users) with operations waiting, first come first served within each, so one user's
 * burst of heavy reads does not hold back another's.
 */
export class Lane {
  private busy = false
  /** The holder of the operation in the lane: the next turn goes to another when one waits. */
  private serving = ''
  /** Waiting entrants by holder; a holder served goes to the back, after those that waited. */
  private readonly waiting = new Map<string, (() => void)[]>()

  /** Resolves on a turn of its own once it is `holder`'s turn, with the function that leaves (once). */
  async enter(holder = ''): Promise<() => void> {
    if (this.busy) await new Promise<void>((go) => this.queueOf(holder).push(go))
    this.busy = true
    this.serving = holder
    await nextTurn()
    let left = false
    return () => {
      if (left) return
      left = true
      this.handOn()
    }
  }

  private queueOf(holder: string): (() => void)[] {
    const queue = this.waiting.get(holder) ?? []
    if (queue.length === 0) this.waiting.set(holder, queue)
    return queue
  }

  private handOn(): void {
    const first = this.waiting.keys().next()
    if (first.done) {
      this.busy = false
      return
    }
    if (first.value === this.serving && this.waiting.size > 1) this.toBack(first.value)
    const [holder, queue] = this.waiting.entries().next().value as [string, (() => void)[]]
    this.toBack(holder)
    const go = queue.shift() as () => void
    if (queue.length === 0) this.waiting.delete(holder)
    go()
  }

  private toBack(holder: string): void {
    const queue = this.waiting.get(holder) as (() => void)[]
    this.waiting.delete(holder)
    this.waiting.set(holder, queue)
  }
}

/** Whose turn an operation takes in the lane: its user's (the operator's and anonymous ones share one). */
const holderOf = (context: unknown) => {
  const auth = (context as { auth?: { userId?: string } | null }).auth
  return auth?.userId ?? ''
}

/**
 * Yoga plugin: a heavy operation executes after its parsing and validation, on a turn of its own,
 * once the heavy operation before it is done. Light operations do not wait.
 */
export function usePacedExecution(): Plugin {
  const lane = new Lane()
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!isHeavy(args.contextValue)) return
      setExecuteFn(async (execution) => {
        const leave = await lane.enter(holderOf(args.contextValue))
        try {
          return await executeFn(execution)
        } finally {
          leave()
        }
      })
    },
  }
}
