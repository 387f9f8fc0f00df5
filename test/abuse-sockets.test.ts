import { describe, expect, it, vi } from 'vitest'
import { wsSubscribe } from '../harness/subscribers.js'

// Idle sockets cost memory and pings: one key holds at most SOCKETS_PER_KEY of them.
vi.hoisted(() => {
  Object.assign(process.env, { SOCKETS_PER_KEY: '2' })
})

const { app, createKey, sendingSetup } = await import('./support/helpers.js')

describe('graphql-ws connections per key', () => {
  it('closes a key’s connection past SOCKETS_PER_KEY with 1013 (try again later); closing one makes room; other keys go on', async () => {
    await app.start()
    const s = await sendingSetup()
    const other = await createKey(s.user.key, 'MONITOR')
    const open = [await wsSubscribe(app.url, s.agent, { callId: 'c1' }), await wsSubscribe(app.url, s.agent, { callId: 'c2' })]
    const refused = await wsSubscribe(app.url, s.agent, { callId: 'c3' })
    expect(await refused.closeCode).toBe(1013)
    const elsewhere = await wsSubscribe(app.url, other, { callId: 'c3' })
    await open[0]?.dispose()
    // The count drops when the server sees the socket close.
    const again = await vi.waitFor(async () => {
      const sub = await wsSubscribe(app.url, s.agent, { callId: 'c4' })
      // wsSubscribe resolves once the server acknowledged or closed it: a refused one has its code already.
      const closed = await Promise.race([sub.closeCode, Promise.resolve('open')])
      if (closed !== 'open') throw new Error(`closed with ${closed}`)
      return sub
    })
    for (const sub of [open[1], refused, elsewhere, again]) await sub?.dispose()
  })
})
