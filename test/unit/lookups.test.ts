import { describe, expect, it } from 'vitest'
import { LOOKUPS_AT_ONCE, throttled } from '../../src/webhooks/targets.js'

// Webhook names resolve on libuv's small thread pool: slow ones must not take all of it.
describe('webhook DNS lookups', () => {
  it('run at most LOOKUPS_AT_ONCE at a time, the rest in turn, each answered', async () => {
    let running = 0
    let most = 0
    const finish: (() => void)[] = []
    const lookup = (n: number) =>
      throttled(async () => {
        running++
        most = Math.max(most, running)
        await new Promise<void>((done) => finish.push(done))
        running--
        return n
      })
    const answers = Promise.all([1, 2, 3, 4, 5].map(lookup))
    const settle = () => new Promise((r) => setImmediate(r))
    await settle()
    expect(running).toBe(LOOKUPS_AT_ONCE)
    while (finish.length) {
      finish.shift()?.()
      await settle()
    }
    expect(await answers).toEqual([1, 2, 3, 4, 5])
    expect(most).toBe(LOOKUPS_AT_ONCE)
    // A failed lookup gives its turn back too.
    await expect(throttled(async () => Promise.reject(new Error('ENOTFOUND')))).rejects.toThrow('ENOTFOUND')
    expect(await throttled(async () => 'next')).toBe('next')
  })

  it('skip a waiting lookup whose caller gave up, handing its turn straight on', async () => {
    const finish: (() => void)[] = []
    const ran: string[] = []
    const lookup = (name: string, signal?: AbortSignal) =>
      throttled(
        async () => {
          ran.push(name)
          await new Promise<void>((done) => finish.push(done))
          return name
        },
        { signal },
      )
    const settle = () => new Promise((r) => setImmediate(r))
    const running = [lookup('a'), lookup('b')]
    await settle()
    const gaveUp = new AbortController()
    const abandoned = lookup('abandoned', gaveUp.signal)
    const waiting = lookup('c')
    gaveUp.abort()
    finish.shift()?.()
    await expect(abandoned).rejects.toThrow()
    await settle()
    expect(ran).toEqual(['a', 'b', 'c'])
    while (finish.length) {
      finish.shift()?.()
      await settle()
    }
    expect(await Promise.all([...running, waiting])).toEqual(['a', 'b', 'c'])
  })

  it('run at most one of an owner’s at a time: one user’s names that hang leave a turn for another’s', async () => {
    const finish: (() => void)[] = []
    const ran: string[] = []
    const lookup = (name: string, owner: string, signal?: AbortSignal) =>
      throttled(
        async () => {
          ran.push(name)
          await new Promise<void>((done) => finish.push(done))
          return name
        },
        { owner, signal },
      )
    const settle = () => new Promise((r) => setImmediate(r))
    const gaveUp = new AbortController()
    const slow = [lookup('a1', 'a'), lookup('a2', 'a'), lookup('a3', 'a', gaveUp.signal)]
    await settle()
    expect(ran).toEqual(['a1'])
    const other = lookup('b1', 'b')
    await settle()
    expect(ran).toEqual(['a1', 'b1'])
    // A caller that gives up leaves the line at once, before any turn comes.
    gaveUp.abort()
    await expect(slow[2]).rejects.toThrow()
    finish[1]?.()
    expect(await other).toBe('b1')
    finish[0]?.()
    await settle()
    expect(ran).toEqual(['a1', 'b1', 'a2'])
    finish[2]?.()
    expect(await Promise.all(slow.slice(0, 2))).toEqual(['a1', 'a2'])
  })
})
