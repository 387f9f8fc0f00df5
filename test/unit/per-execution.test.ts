import type { GraphQLResolveInfo } from 'graphql'
import { describe, expect, it } from 'vitest'
import { perExecution } from '../../src/schema/util.js'

const info = (rootValue: unknown) => ({ rootValue }) as GraphQLResolveInfo

// What resolvers keep for one execution (related rows, stats read): a query's request, or one event of a subscription.
describe('values kept per execution', () => {
  it('one per request, one per subscription event, and never shared by two subscriptions given the same event', () => {
    let made = 0
    const counter = perExecution(() => ({ n: ++made }))
    const [query, subscription, other] = [{}, {}, {}]
    expect(counter(query, info(undefined))).toBe(counter(query, info(undefined)))
    // The user's subscriptions are handed the same published update as their root value.
    const [first, second] = [{ update: 1 }, { update: 2 }]
    const a = counter(subscription, info(first))
    expect(counter(subscription, info(first))).toBe(a)
    expect(counter(subscription, info(second))).not.toBe(a)
    expect(counter(other, info(first))).not.toBe(a)
    expect(made).toBe(4)
  })
})
