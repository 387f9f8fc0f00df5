// CPU profiles of the service (node --cpu-prof): start it profiled, find its profile, read it.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { startService } from './lib.js'

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[]
  samples: number[]
}

/** The service started with --cpu-prof; `stop` ends it and answers the path of its profile. */
export async function startProfiled(env: Record<string, string>) {
  const dir = `/tmp/sms-prof-${Date.now()}`
  const service = await startService(env, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  const stop = async () => {
    service.proc.kill('SIGTERM')
    await service.exited
    // tsx runs the service in a child process: its profile is the largest one.
    const file = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort((a, b) => statSync(`${dir}/${b}`).size - statSync(`${dir}/${a}`).size)[0] as string
    return `${dir}/${file}`
  }
  return { service, stop }
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Profile

/** The `n` functions with the most self time, in % of all samples. */
export function heaviest(file: string, n = 25) {
  const profile = read(file)
  const self = new Map<string, number>()
  for (const node of profile.nodes) {
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber}`
    self.set(key, (self.get(key) ?? 0) + node.hitCount)
  }
  const total = profile.samples.length
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, hits]) => ({ fn: fn.slice(0, 110), 'self %': Number(((hits / total) * 100).toFixed(1)) }))
}

/** Where a sample was spent, by package; undefined for idle time and start-up (module loading). */
function groupOf(url: string, fn: string): string | undefined {
  if (fn === '(idle)') return undefined
  if (/internal\/modules\/|source_map|tsx\/dist|cjs-module-lexer/.test(url)) return undefined
  if (url.includes('/src/db/statementCache') || url.includes('better-sqlite3')) return 'SQL execution (better-sqlite3, native)'
  if (/@prisma|wasm/.test(url) || fn.startsWith('wasm-function')) return 'Prisma (client runtime, WebAssembly, adapter)'
  if (/\/(graphql|graphql-yoga|@envelop|@graphql-tools|@pothos|@escape\.tech|@whatwg-node|@graphql-yoga)\//.test(url))
    return 'GraphQL: yoga and whatwg-node, envelop, graphql-js, Pothos, armor'
  if (/\/(twilio|axios|follow-redirects|form-data)\//.test(url)) return 'twilio SDK and axios'
  if (/\/(zod|pino|@pinojs|prom-client|rate-limiter-flexible|libphonenumber-js|thread-stream|sonic-boom)\//.test(url))
    return 'zod, pino, prom-client, rate limiter, libphonenumber'
  if (url.includes('/node_modules/')) return 'other packages'
  if (url.includes('/src/')) return "the service's own code"
  if (fn === '(garbage collector)') return 'garbage collection'
  return 'Node internals (HTTP server and client, streams, sockets, crypto)'
}

/** Busy time outside start-up by package, in % (the table in BENCHMARKS.md). */
export function byPackage(file: string) {
  const by = new Map<string, number>()
  let total = 0
  for (const node of read(file).nodes) {
    const group = groupOf(node.callFrame.url, node.callFrame.functionName)
    if (!group) continue
    by.set(group, (by.get(group) ?? 0) + node.hitCount)
    total += node.hitCount
  }
  return [...by].sort((a, b) => b[1] - a[1]).map(([where, hits]) => ({ where, '%': Number(((hits / total) * 100).toFixed(1)) }))
}
