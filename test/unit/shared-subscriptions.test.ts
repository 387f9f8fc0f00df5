import { type ExecutionResult, parse } from 'graphql'
import { Repeater } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { MAX_UNREAD, SharedSubscriptions } from '../../src/realtime/sharedSubscriptions.js'
import { asksCurrentState } from '../../src/realtime/sharing.js'

/** A source stream the test drives: push results, end it, fail it; counts how often it was opened. */
function source() {
  const state = { opened: 0, returned: 0, push: (_r: ExecutionResult) => {}, end: (_e?: Error) => {} }
  const open = async () => {
    state.opened++
    return new Repeater<ExecutionResult>(async (push, stop) => {
      state.push = (r) => void push(r)
      state.end = (e) => stop(e)
      await stop
      state.returned++
    })
  }
  return { state, open }
}
const next = (it: unknown) => (it as AsyncIterator<ExecutionResult>).next()
const result = (n: number): ExecutionResult => ({ data: { n } })

describe('SharedSubscriptions', () => {
  it('opens one source for subscribers with the same key and hands each every result', async () => {
    const shared = new SharedSubscriptions()
    const s = source()
    const [a, b] = await Promise.all([shared.subscribe('k', s.open), shared.subscribe('k', s.open)])
    const o = source()
    const other = await shared.subscribe('other', o.open)
    expect([s.state.opened, o.state.opened]).toEqual([1, 1])
    const [na, nb] = [next(a), next(b)]
    await new Promise((r) => setTimeout(r, 0))
    s.state.push(result(1))
    expect(await na).toEqual({ value: result(1), done: false })
    expect(await nb).toEqual({ value: result(1), done: false })
    await (other as AsyncIterator<ExecutionResult>).return?.()
  })

  it('keeps the source while anyone listens, closes it with the last, and opens a new one after', async () => {
    const shared = new SharedSubscriptions()
    const s = source()
    const a = (await shared.subscribe('k', s.open)) as AsyncIterator<ExecutionResult>
    const b = (await shared.subscribe('k', s.open)) as AsyncIterator<ExecutionResult>
    const pending = b.next()
    await new Promise((r) => setTimeout(r, 0))
    expect(await a.return?.()).toEqual({ value: undefined, done: true })
    s.state.push(result(2))
    expect(await pending).toEqual({ value: result(2), done: false })
    expect(s.state.returned).toBe(0)
    await b.return?.()
    expect(s.state.returned).toBe(1)
    expect(shared.size).toBe(0)
    await shared.subscribe('k', s.open)
    expect(s.state.opened).toBe(2)
  })

  it('passes a failure of the source to every subscriber, and a refusal on subscribe to the one who asked', async () => {
    const shared = new SharedSubscriptions()
    const s = source()
    const a = await shared.subscribe('k', s.open)
    const b = await shared.subscribe('k', s.open)
    const reads = [next(a), next(b)]
    await new Promise((r) => setTimeout(r, 0))
    s.state.end(new Error('source broke'))
    for (const read of reads) await expect(read).rejects.toThrow('source broke')
    const late = await shared.subscribe('k', s.open)
    expect(s.state.opened).toBe(2)
    const refusal: ExecutionResult = { errors: [] }
    expect(await shared.subscribe('refused', async () => refusal)).toBe(refusal)
    expect(await shared.subscribe('refused', async () => refusal)).toBe(refusal)
    await (late as AsyncIterator<ExecutionResult>).return?.()
  })

  it('gives a subscriber that joined a refused opening a member of its own when it asks again, and reports its end once', async () => {
    const shared = new SharedSubscriptions()
    const s = source()
    const refusal: ExecutionResult = { errors: [] }
    let calls = 0
    const refusedFirst = async () => (++calls === 1 ? refusal : s.open())
    let gone = 0
    const [first, second] = await Promise.all([shared.subscribe('k', refusedFirst), shared.subscribe('k', refusedFirst, () => gone++)])
    expect(first).toBe(refusal)
    expect(shared.size).toBe(1)
    await (second as AsyncIterator<ExecutionResult>).return?.()
    await (second as AsyncIterator<ExecutionResult>).return?.()
    expect([gone, shared.size, s.state.opened]).toEqual([1, 0, 1])
  })

  it('opens a new source for a subscriber arriving after the last one ended', async () => {
    const shared = new SharedSubscriptions()
    const s = source()
    const a = await shared.subscribe('k', s.open)
    const read = next(a)
    await new Promise((r) => setTimeout(r, 0))
    s.state.end()
    expect(await read).toEqual({ value: undefined, done: true })
    const b = await shared.subscribe('k', s.open)
    expect(s.state.opened).toBe(2)
    await (b as AsyncIterator<ExecutionResult>).return?.()
  })

  it('ends every subscriber that joined a source which ends at once, opening it only once', async () => {
    const shared = new SharedSubscriptions()
    let opened = 0
    const endsAtOnce = async () => {
      opened++
      return new Repeater<ExecutionResult>((_push, stop) => stop())
    }
    const joined = await Promise.all([1, 2, 3].map(() => shared.subscribe('k', endsAtOnce)))
    for (const m of joined) expect(await next(m)).toEqual({ value: undefined, done: true })
    expect(opened).toBe(1)
    expect(shared.size).toBe(0)
  })
})

describe('a subscriber that stops reading', () => {
  it('is ended with the reason once MAX_UNREAD results wait for it, and the others read on', async () => {
    const shared = new SharedSubscriptions()
    const s = source()
    const [idle, reading] = await Promise.all([shared.subscribe('k', s.open), shared.subscribe('k', s.open)])
    let read = 0
    const readAll = (async () => {
      while (read < MAX_UNREAD + 10 && !(await next(reading)).done) read++
    })()
    await new Promise((r) => setTimeout(r, 0))
    for (let n = 0; n < MAX_UNREAD + 10; n++) {
      s.state.push(result(n))
      await new Promise((r) => setImmediate(r))
    }
    await readAll
    expect(read).toBe(MAX_UNREAD + 10)
    await expect(next(idle)).rejects.toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW' } })
    expect(await next(idle)).toEqual({ value: undefined, done: true })
    await (reading as AsyncIterator<ExecutionResult>).return?.()
    expect(s.state.returned).toBe(1)
  })
})

describe('asksCurrentState (such subscriptions are not shared)', () => {
  const asks = (query: string, variables?: Record<string, unknown>) => asksCurrentState(parse(query), variables)
  it('reads includeCurrent written in the document, given as a variable, or defaulted', () => {
    expect(asks('subscription { smsDeliveryUpdated(callId: "c", includeCurrent: true) { event { status } } }')).toBe(true)
    expect(asks('subscription { smsDeliveryUpdated(callId: "c", includeCurrent: false) { event { status } } }')).toBe(false)
    expect(asks('subscription { smsDeliveryUpdated(callId: "c") { event { status } } }')).toBe(false)
    const given = 'subscription($i: Boolean) { smsDeliveryUpdated(callId: "c", includeCurrent: $i) { event { status } } }'
    expect(asks(given, { i: true })).toBe(true)
    expect(asks(given, { i: false })).toBe(false)
    expect(asks(given)).toBe(false)
    const defaulted = 'subscription($i: Boolean = true) { smsDeliveryUpdated(callId: "c", includeCurrent: $i) { event { status } } }'
    expect(asks(defaulted)).toBe(true)
    expect(asks(defaulted, { i: false })).toBe(false)
  })
})
