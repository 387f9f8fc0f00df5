import SchemaBuilder from '@pothos/core'
import { execute, parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { Lane, PACED_COST, PACED_ITEMS, pacingPlugin } from '../../src/schema/pacing.js'

// Only the pacing plugin; the project's other plugins declare options of their own as required.
const builder = new SchemaBuilder<{ Context: { cost?: number } }>({ plugins: [pacingPlugin] } as never)
const Item = builder.objectRef<{ n: number }>('Item').implement({ fields: (t) => ({ n: t.exposeInt('n') }) })
builder.queryType({
  fields: (t) => ({
    items: t.field({
      type: [Item],
      args: { count: t.arg.int({ required: true }) },
      resolve: (_r, { count }) => Array.from({ length: count }, (_, n) => ({ n })),
    }),
    numbers: t.field({ type: ['Int'], resolve: () => Array.from({ length: 100 }, (_, n) => n) }),
  }),
})
const schema = builder.toSchema()

/** Runs the query with the cost given; answers its data and how many turns of the event loop passed meanwhile. */
async function run(query: string, cost: number) {
  let turns = 0
  let running = true
  const turn = () => {
    if (!running) return
    turns++
    setImmediate(turn)
  }
  setImmediate(turn)
  const result = await execute({ schema, document: parse(query), contextValue: { cost } })
  running = false
  return { data: JSON.parse(JSON.stringify(result.data)), errors: result.errors, turns }
}

describe('pacing heavy operations', () => {
  it('completes a long list of objects a chunk per turn of the event loop, in order, when the operation is heavy', async () => {
    const { data, errors, turns } = await run('{ items(count: 95) { n } }', PACED_COST)
    expect(errors).toBeUndefined()
    expect(data.items.map((i: { n: number }) => i.n)).toEqual(Array.from({ length: 95 }, (_, n) => n))
    expect(turns).toBeGreaterThanOrEqual(Math.ceil(95 / PACED_ITEMS) - 1)
  })

  it('runs a light operation, short lists and lists of scalars without waiting for a turn', async () => {
    expect((await run('{ items(count: 95) { n } }', PACED_COST - 1)).turns).toBe(0)
    expect((await run(`{ items(count: ${PACED_ITEMS}) { n } }`, PACED_COST)).turns).toBe(0)
    expect((await run('{ numbers }', PACED_COST)).turns).toBe(0)
  })
})

describe('heavy operations taking turns', () => {
  it('lets one in at a time, first come first served, each once the one before has left', async () => {
    const lane = new Lane()
    const log: string[] = []
    const run = async (name: string, steps: number) => {
      const leave = await lane.enter()
      log.push(`${name} in`)
      for (let i = 0; i < steps; i++) await new Promise((r) => setImmediate(r))
      log.push(`${name} out`)
      leave()
    }
    await Promise.all([run('a', 3), run('b', 1), run('c', 2)])
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out'])
  })

  it('goes round the holders with operations waiting: one holder’s burst does not hold back another’s', async () => {
    const lane = new Lane()
    const log: string[] = []
    const run = async (holder: string, name: string) => {
      const leave = await lane.enter(holder)
      log.push(name)
      await new Promise((r) => setImmediate(r))
      leave()
      leave()
    }
    await Promise.all([run('a', 'a1'), run('a', 'a2'), run('a', 'a3'), run('a', 'a4'), run('b', 'b1'), run('b', 'b2'), run('c', 'c1')])
    expect(log).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4'])
  })

  it('goes on after an entrant that failed, once it has left', async () => {
    const lane = new Lane()
    const first = lane.enter().then((leave) => {
      leave()
      throw new Error('failed')
    })
    await expect(first).rejects.toThrow('failed')
    const leave = await lane.enter()
    expect(typeof leave).toBe('function')
  })
})
