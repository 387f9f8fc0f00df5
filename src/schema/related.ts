import type { GraphQLResolveInfo } from 'graphql'
import type { Row } from '../db/client.js'
import type { RelatedModel } from '../stores/deliveryPages.js'
import type { Context } from './context.js'
import { perExecution } from './util.js'

type Load = (id: string) => Promise<Row>

/**
 * One execution's reads of a model by id: the ids asked for while a list's rows resolve (one
 * synchronous pass of the executor) are read in one statement when it ends, each id once. A read
 * that failed is not kept: the id is read again when asked for again.
 */
function batchedReads(ctx: Context, model: RelatedModel): Load {
  const known = new Map<string, Promise<Row>>()
  let waiting: Map<string, { resolve: (row: Row) => void; reject: (e: unknown) => void }> | undefined
  const flush = async (batch: NonNullable<typeof waiting>) => {
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
    const row = known.get(id)
    if (row) return row
    if (!waiting) {
      const batch = new Map()
      waiting = batch
      process.nextTick(() => {
        waiting = undefined
        void flush(batch)
      })
    }
    const batch = waiting
    const asked = new Promise<Row>((resolve, reject) => batch.set(id, { resolve, reject }))
    known.set(id, asked)
    asked.catch(() => known.get(id) === asked && known.delete(id))
    return asked
  }
}

// Per execution: a subscription's rows are read again for each event (a rename shows at the next one).
const reads = perExecution((ctx: Context) => ({
  SmsAction: batchedReads(ctx, 'SmsAction'),
  Campaign: batchedReads(ctx, 'Campaign'),
}))

/**
 * The action or campaign a delivery points to: the one its page read along with it, else read for
 * the request. A plain field rather than a Pothos relation, whose per-row mapping of response paths
 * cost about a sixth of a page read's CPU (BENCHMARKS.md); fields of the row that need a relation
 * of their own are still loaded by Pothos.
 */
export function relatedRow(ctx: Context, info: GraphQLResolveInfo, model: RelatedModel, loaded: unknown, id: string): unknown {
  return loaded ?? reads(ctx, info)[model](id)
}
