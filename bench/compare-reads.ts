// Page reads, before and after: another git revision's service beside the working tree's, both
// running at once on the same database, rounds alternating (the first of each pair swapping) after
// a warm-up; CPU per read from each process. Steadier than bench/compare.ts for reads, which starts
// each service cold per round. Usage: npx tsx bench/compare-reads.ts [--rev <git revision>] [--rounds 10] [--reads 600]
import { parseArgs } from 'node:util'
import { freePort } from '../harness/net.js'
import { benchEnv, cpuPerOperation, percentile, report, revisionTree, startService } from './lib.js'
import { pageLoad, seed } from './seed.js'

const { values: args } = parseArgs({
  options: {
    rev: { type: 'string', default: 'HEAD' },
    rounds: { type: 'string', default: '10' },
    reads: { type: 'string', default: '600' },
  },
})
const { rev, script } = revisionTree(String(args.rev))
const READS = Number(args.reads)
await benchEnv()
const data = await seed(1000)
const started = async (code: string, entry?: string) => {
  const port = await freePort()
  const service = await startService({ PORT: String(port), LOG_LEVEL: 'warn' }, entry)
  const url = `http://127.0.0.1:${port}`
  await pageLoad(url, data.key, 1000)
  return {
    code,
    service,
    run: () => cpuPerOperation(service.proc.pid as number, READS, () => pageLoad(url, data.key, READS)),
  }
}
const trees = [await started(`before (${rev})`, script), await started('after (working tree)')]
const rows: Record<string, unknown>[] = []
const cpu: number[][] = [[], []]
for (let round = 0; round < Number(args.rounds); round++) {
  for (const k of round % 2 ? [1, 0] : [0, 1]) {
    const tree = trees[k] as (typeof trees)[number]
    const [result, ms] = await tree.run()
    cpu[k]?.push(ms)
    rows.push({
      round,
      code: tree.code,
      'read p50 ms (c=20)': result.latency.p50,
      'reads/s': result.requests.average,
      'CPU µs per read': Math.round(ms * 1000),
    })
  }
}
for (const tree of trees) tree.service.proc.kill('SIGTERM')
const median = (k: number) => percentile(cpu[k] as number[], 50)
report('compare-reads', rows, {
  rev,
  reads: READS,
  'median CPU µs per read, before / after': `${Math.round(median(0) * 1000)} / ${Math.round(median(1) * 1000)}`,
})
console.log(
  `median CPU per read: before ${Math.round(median(0) * 1000)} µs, after ${Math.round(median(1) * 1000)} µs (${(median(1) / median(0)).toFixed(2)}×)`,
)
await data.db.$disconnect()
process.exit(0)
