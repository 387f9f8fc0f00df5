// The floor under every operation: `{ __typename }` with an API key (HTTP, yoga, authentication,
// budgets, guards, the request's log line) beside bare node:http answering the same bytes.
// Usage: npx tsx bench/floor.ts [--requests 3000 --rounds 2]
import { parseArgs } from 'node:util'
import { freePort } from '../harness/net.js'
import { cpuPerOperation, report, startService } from './lib.js'
import { load, sendingBench } from './seed.js'

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '2' } } })
const bench = await sendingBench()
const service = await startService()
const port = await freePort()
const bare = await startService({ PORT: String(port) }, 'bench/baseline-floor.ts')
const body = JSON.stringify({ query: '{ __typename }' })
const headers = { 'content-type': 'application/json', authorization: `Bearer ${bench.agentKey}` }

async function measure(url: string, pid: number, connections: number) {
  const amount = Number(args.requests)
  await load({ url: `${url}/graphql`, method: 'POST', body, headers, connections, amount: 300 })
  const [r, cpu] = await cpuPerOperation(pid, amount, () =>
    load({ url: `${url}/graphql`, method: 'POST', body, headers, connections, amount }),
  )
  if (r.non2xx) throw new Error(`${r.non2xx} refused requests at ${url}`)
  return { 'p50 ms': r.latency.p50, 'CPU µs/request': Math.round(cpu * 1000) }
}

const rows: Record<string, unknown>[] = []
for (let round = 0; round < Number(args.rounds); round++) {
  for (const c of [1, 10]) {
    const svc = await measure(bench.url, service.proc.pid as number, c)
    const base = await measure(`http://127.0.0.1:${port}`, bare.proc.pid as number, c)
    rows.push({ round, concurrency: c, who: 'service', ...svc }, { round, concurrency: c, who: 'bare node:http', ...base })
    rows.push({
      round,
      concurrency: c,
      who: 'ratio',
      'p50 ms': +(svc['p50 ms'] / base['p50 ms']).toFixed(2),
      'CPU µs/request': +(svc['CPU µs/request'] / base['CPU µs/request']).toFixed(2),
    })
  }
}
report('floor', rows)
service.proc.kill('SIGTERM')
bare.proc.kill('SIGTERM')
await Promise.all([service.exited, bare.exited])
await bench.data.db.$disconnect()
await bench.double.close()
