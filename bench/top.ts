// Prints the functions with the most self time in a .cpuprofile: `npx tsx bench/top.ts <file> [n]`.
import { readFileSync } from 'node:fs'

const file = process.argv[2] as string
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[]
  samples: number[]
}
const self = new Map<string, number>()
for (const node of profile.nodes) {
  const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')
  const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber}`
  self.set(key, (self.get(key) ?? 0) + node.hitCount)
}
const total = profile.samples.length
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25))
console.table(rows.map(([fn, hits]) => ({ fn: fn.slice(0, 110), 'self %': Number(((hits / total) * 100).toFixed(1)) })))
