// What a refused request costs the service: a key over its request budget (KEY_REQUESTS_PER_SECOND=1)
// reads pages at concurrency 20 (as bench/reads.ts does), answered at once (RATE_LIMIT_HOLD_MS=0);
// CPU per refused request of the service process.
// Usage: npx tsx bench/refusals.ts [service script, e.g. another worktree's src/main.ts]
import { cpuPerOperation, report, startService } from './lib.js'
import { pageLoad, sendingBench } from './seed.js'

const REQUESTS = 6000
const bench = await sendingBench()
const script = process.argv[2]
const service = await startService({ KEY_REQUESTS_PER_SECOND: '1', RATE_LIMIT_HOLD_MS: '0' }, script)
const pid = service.proc.pid as number
const load = () => pageLoad(bench.url, bench.agentKey, REQUESTS)
await load() // warm-up
const [measured, cpu] = await cpuPerOperation(pid, REQUESTS, load)
report('refusals', [
  {
    service: script ?? 'src/main.ts',
    'CPU ms/refused request': Number(cpu.toFixed(3)),
    'p50 ms': measured.latency.p50,
    'req/s': Math.round(measured.requests.average),
    non2xx: measured.non2xx,
  },
])
service.proc.kill('SIGTERM')
await service.exited
await bench.data.db.$disconnect()
await bench.double.close()
