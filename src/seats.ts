/**
 * Seats per key, at most `limit` taken at once: `take` answers the seat's release (which frees it
 * once, however often it is called), or undefined when every seat of the key is taken.
 */
export class Seats {
  private readonly taken = new Map<string, number>()

  constructor(private readonly limit: number) {}

  take(key: string): (() => void) | undefined {
    const count = this.taken.get(key) ?? 0
    if (count >= this.limit) return undefined
    this.taken.set(key, count + 1)
    let held = true
    return () => {
      if (!held) return
      held = false
      const left = (this.taken.get(key) ?? 1) - 1
      if (left > 0) this.taken.set(key, left)
      else this.taken.delete(key)
    }
  }
}
