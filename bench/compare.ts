// Before and after in the same run: another git revision (default HEAD, the last commit) beside the
// working tree, alternating on the same machine and database: sendSms at concurrency 1 and 10,
// signed callbacks at concurrency 50, smsDeliveries(first: 50) at concurrency 20, then callback-to-subscriber latency with N graphql-ws subscribers.
// Usage: npx tsx bench/compare.ts [--rev <git revision>] [--requests 300] [--callbacks 2000] [--rounds 2] [--reads 1000] [--subscribers 1000]
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { cpuPerOperation, report, revisionTree, startService } from './lib.js'
import { pageLoad, postCallbacks, seed, sendingBench, sendLoad, summary } from './seed.js'

const { values: args } = parseArgs({
  options: {
    rev: { type: 'string', default: 'HEAD' },
    requests: { type: 'string', default: '300' },
    callbacks: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
    reads: { type: 'string', default: '1000' },
    subscribers: { type: 'string', default: '1000' },
  },
})
const { rev, script: beforeScript } = revisionTree(String(args.rev))
const trees = [
  { code: `before (${rev})`, script: beforeScript },
  { code: 'after (working tree)', script: resolve('src/main.ts') },
]
const REQUESTS = Number(args.requests)
const N = Number(args.callbacks)
const ROUNDS = Number(args.rounds)
const READS = Number(args.reads)
const bench = await sendingBench()
const data = await seed(N * ROUNDS * 2)
const callbackUrl = `${bench.url}/webhooks/twilio/status`

const rows: Record<string, unknown>[] = []
for (let round = 0; round < ROUNDS; round++) {
  for (const [k, tree] of trees.entries()) {
    const service = await startService({ RECONCILE_INTERVAL_MS: '0' }, tree.script)
    // CPU µs of the service's process per operation: steadier than latency on a shared machine.
    const cpu = async <T>(amount: number, run: () => Promise<T>): Promise<[T, number]> => {
      const [result, ms] = await cpuPerOperation(service.proc.pid as number, amount, run)
      return [result, Math.round(ms * 1000)]
    }
    const [one, oneCpu] = await cpu(REQUESTS, async () => summary(await sendLoad(bench.url, bench, 1, REQUESTS)))
    const [ten, tenCpu] = await cpu(REQUESTS, async () => summary(await sendLoad(bench.url, bench, 10, REQUESTS)))
    const sids = data.sids.slice((round * 2 + k) * N, (round * 2 + k + 1) * N)
    const [callbacks, callbackCpu] = await cpu(N, async () => summary(await postCallbacks(callbackUrl, data, sids)))
    if (READS > 0) await pageLoad(bench.url, data.key, 100)
    const [reads, readCpu] = READS > 0 ? await cpu(READS, async () => summary(await pageLoad(bench.url, data.key, READS))) : [undefined, 0]
    service.proc.kill('SIGTERM')
    await service.exited
    rows.push({
      round,
      code: tree.code,
      'send c=1 p50 ms': one['p50 ms'],
      'send c=10 p50 ms': ten['p50 ms'],
      'send c=10 req/s': ten['req/s'],
      'send CPU µs (c=1, c=10)': `${oneCpu}, ${tenCpu}`,
      'callbacks/s': callbacks['req/s'],
      'callback p99 ms': callbacks['p99 ms'],
      'callback CPU µs': callbackCpu,
      ...(reads ? { 'read p50 ms (c=20)': reads['p50 ms'], 'reads/s': reads['req/s'], 'read CPU µs': readCpu } : {}),
    })
  }
}
report('compare', rows, { rev, requests: REQUESTS, callbacks: N, reads: READS })

// Fan-out: bench/callbacks.ts against each tree in turn (BENCH_SERVICE_SCRIPT picks the tree).
const fanout: Record<string, unknown>[] = []
for (const tree of trees) {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/callbacks.ts',
      '--callbacks',
      '200',
      '--subscribers',
      String(args.subscribers),
      '--sse',
      '',
      '--events',
      '30',
    ],
    { env: { ...process.env, BENCH_SERVICE_SCRIPT: tree.script }, stdio: 'ignore' },
  )
  if (run.status !== 0) throw new Error(`bench/callbacks.ts failed for ${tree.code}`)
  const latest = readdirSync('bench/results')
    .filter((f) => f.startsWith('callback-fanout-'))
    .sort()
    .at(-1) as string
  const result = JSON.parse(readFileSync(join('bench/results', latest), 'utf8')) as { rows: Record<string, unknown>[] }
  for (const row of result.rows) fanout.push({ code: tree.code, ...row })
}
report('compare-fanout', fanout, { rev })
await data.db.$disconnect()
await bench.double.close()
