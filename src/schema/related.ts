import { createContextCache } from '@pothos/core'
import type { Row } from '../db/client.js'
import type { RelatedModel } from '../stores/deliveryPages.js'
import type { Context } from './context.js'

type Load = (id: string) => Promise<Row>

/**
 * One request's reads of a model by id: the ids asked for while a list's rows resolve (one
 * synchronous pass of the executor) are read in one statement when it ends, each id once. Only the
 * pass being collected is shared: a subscription's context outlives its events, and a row read for
 * one event (or a read that failed) must not answer the next.
 */
function batchedReads(ctx: Context, model: RelatedModel): Load {
  type Waiting = { row: Promise<Row>; resolve: (row: Row) => void; reject: (e: unknown) => void }
  let waiting: Map<string, Waiting> | undefined
  const flush = async (batch: Map<string, Waiting>) => {
    try {
      const found = await ctx.services.stores.deliveryPages.related(model, [...batch.keys()])
      for (const [id, { resolve, reject }] of batch) {
        const row = found.get(id)
        if (row) resolve(row)
        else reject(new Error(`${model} ${id} not found`))
      }
    } catch (e) {
      for (const { reject } of batch.values()) reject(e)
    }
  }
  return (id) => {
    if (!waiting) {
      const batch = new Map<string, Waiting>()
      waiting = batch
      process.nextTick(() => {
        waiting = undefined
        void flush(batch)
      })
    }
    let entry = waiting.get(id)
    if (!entry) {
      let settle: Pick<Waiting, 'resolve' | 'reject'> = { resolve: () => undefined, reject: () => undefined }
      const row = new Promise<Row>((resolve, reject) => {
        settle = { resolve, reject }
      })
      entry = { row, ...settle }
      waiting.set(id, entry)
    }
    return entry.row
  }
}

const reads = createContextCache((ctx: Context) => ({
  SmsAction: batchedReads(ctx, 'SmsAction'),
  Campaign: batchedReads(ctx, 'Campaign'),
}))

/**
 * The action or campaign a delivery points to: the one its page read along with it, else read for
 * the request. A plain field rather than a Pothos relation, whose per-row mapping of response paths
 * cost about a sixth of a page read's CPU (BENCHMARKS.md); fields of the row that need a relation
 * of their own are still loaded by Pothos.
 */
export function relatedRow(ctx: Context, model: RelatedModel, loaded: unknown, id: string): unknown {
  return loaded ?? reads(ctx)[model](id)
}
