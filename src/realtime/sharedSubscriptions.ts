import type { ExecutionResult } from 'graphql'
import { refusalError } from '../errors.js'

type Result = ExecutionResult
type Subscribed = AsyncIterableIterator<Result> | Result

interface Group {
  source: AsyncIterator<Result>
  members: Set<Member>
  /** Set once the source has ended: a member that joins late ends at once, the same way. */
  ended?: { failure?: { error: unknown } }
  /** This group's entry in the map of groups. */
  entry: Promise<Group | undefined>
}

/** Results one subscriber may leave unread (a stream that stopped reading) before it is ended. */
export const MAX_UNREAD = 1024

/** One subscriber's view of a group: the results pushed to it, in order, until it or the group ends. */
class Member implements AsyncIterableIterator<Result> {
  private queue: Result[] = []
  private waiting?: { resolve: (r: IteratorResult<Result>) => void; reject: (e: unknown) => void }
  private ended = false
  private failure?: { error: unknown }

  constructor(
    private readonly leave: (m: Member) => Promise<void>,
    private gone?: () => void,
  ) {}

  /** Once, however it ends: the subscriber left, or the group ended. */
  private release() {
    const gone = this.gone
    this.gone = undefined
    gone?.()
  }

  push(r: Result) {
    if (this.ended) return
    if (this.waiting) this.waiting.resolve({ value: r, done: false })
    else if (this.queue.length < MAX_UNREAD) this.queue.push(r)
    else this.fellBehind()
    this.waiting = undefined
  }

  /** Too much unread: its results are dropped and it ends with the reason, leaving the group. */
  private fellBehind() {
    this.queue = []
    const message = `More than ${MAX_UNREAD} updates were left unread: the subscription ended; subscribe again`
    this.end({ error: refusalError('SUBSCRIBER_TOO_SLOW', message) })
    void this.leave(this)
  }

  /** Ends after what is queued; with an error, the next read throws it (graphql-ws reports it). */
  end(failure?: { error: unknown }) {
    this.release()
    this.ended = true
    this.failure = failure
    if (failure) this.waiting?.reject(failure.error)
    else this.waiting?.resolve({ value: undefined, done: true })
    this.waiting = undefined
  }

  next(): Promise<IteratorResult<Result>> {
    const r = this.queue.shift()
    if (r) return Promise.resolve({ value: r, done: false })
    if (this.failure) {
      const { error } = this.failure
      this.failure = undefined
      return Promise.reject(error)
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
    })
  }

  async return(): Promise<IteratorResult<Result>> {
    this.queue = []
    this.end()
    await this.leave(this)
    return { value: undefined, done: true }
  }

  [Symbol.asyncIterator]() {
    return this
  }
}

const isStream = (s: Subscribed): s is AsyncIterableIterator<Result> => typeof (s as AsyncIterator<Result>).next === 'function'

/**
 * Shares one execution among identical subscriptions: those with the same key (the caller's user
 * and role, the document and its variables, so their results are the same) read one source stream,
 * executed once per event, instead of one each. A subscription without a key runs on its own.
 * With a key, the answer is a member or a refusal; `gone` is called once when a member ends,
 * however it ends.
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Promise<Group | undefined>>()

  async subscribe(key: string | undefined, run: () => Promise<Subscribed>, gone?: () => void): Promise<Subscribed> {
    if (key === undefined) return run()
    for (let pending = this.groups.get(key); pending; pending = this.groups.get(key)) {
      const group = await pending
      // Refused for the one who opened it (e.g. NOT_FOUND): this subscriber asks again, through a
      // group of its own, so what it gets is a member (its end reported) or its own refusal.
      if (!group) {
        if (this.groups.get(key) === pending) this.groups.delete(key)
        continue
      }
      if (!group.ended) return this.member(group, key, gone)
      this.forget(group, key)
    }
    // No await between the lookup above and this entry: concurrent subscribers find it.
    let subscribed: Subscribed | undefined
    let entry!: Promise<Group | undefined>
    entry = (async () => {
      subscribed = await run()
      if (!isStream(subscribed)) return undefined
      const group: Group = { source: subscribed, members: new Set(), entry }
      void this.pump(group, key)
      return group
    })()
    this.groups.set(key, entry)
    const group = await entry.catch((e) => {
      if (this.groups.get(key) === entry) this.groups.delete(key)
      throw e
    })
    if (!group) {
      if (this.groups.get(key) === entry) this.groups.delete(key)
      return subscribed as Result
    }
    return this.member(group, key, gone)
  }

  /** How many distinct executions are running. */
  get size(): number {
    return this.groups.size
  }

  private member(group: Group, key: string, gone?: () => void): Member {
    const m = new Member(async (left) => {
      group.members.delete(left)
      if (group.members.size > 0) return
      this.forget(group, key)
      await group.source.return?.()
    }, gone)
    if (group.ended) m.end(group.ended.failure)
    else group.members.add(m)
    return m
  }

  private forget(group: Group, key: string) {
    if (this.groups.get(key) === group.entry) this.groups.delete(key)
  }

  private async pump(group: Group, key: string) {
    let failure: { error: unknown } | undefined
    try {
      for (let r = await group.source.next(); !r.done; r = await group.source.next()) {
        for (const m of group.members) m.push(r.value)
      }
    } catch (error) {
      failure = { error }
    }
    group.ended = { failure }
    this.forget(group, key)
    for (const m of group.members) m.end(failure)
  }
}
