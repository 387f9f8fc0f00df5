import { randomBytes } from 'node:crypto'

const BLOCK = 36 ** 4
let counter = Math.floor(Math.random() * BLOCK)
const fingerprint = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`.slice(-4).padStart(4, '0')

// Random bytes drawn in blocks: one call into the system's generator per 800 ids, not per id.
let pool = Buffer.alloc(0)
let offset = 0
const randomFive = (): number => {
  if (offset + 5 > pool.length) {
    pool = randomBytes(4000)
    offset = 0
  }
  offset += 5
  return pool.readUIntBE(offset - 5, 5)
}

/**
 * An id in the shape of Prisma's cuid(): 'c', the time, a per-process counter, a process
 * fingerprint and random characters (25 in all), for rows this service writes in SQL.
 */
export function cuid(): string {
  counter = (counter + 1) % BLOCK
  const random = randomFive().toString(36).padStart(8, '0').slice(-8)
  return `c${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}${fingerprint}${random}`
}
