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
 * Operations that take turns, first come first served. Heavy operations run one at a time: run
 * together, a light request would wait, at each of its own steps, for a chunk of every one of them.
 */
export class Lane {
  private tail: Promise<void> = Promise.resolve()

  /** Resolves on a turn of its own once every earlier entrant has left, with the function that leaves. */
  enter(): Promise<() => void> {
    const before = this.tail
    let leave = () => {}
    this.tail = new Promise<void>((resolve) => {
      leave = resolve
    })
    return before.then(nextTurn).then(() => leave)
  }
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
        const leave = await lane.enter()
        try {
          return await executeFn(execution)
        } finally {
          leave()
        }
      })
    },
  }
}
