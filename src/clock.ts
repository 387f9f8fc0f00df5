/** Where the service reads the time: tests give their own, so time-windowed rules are testable. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
