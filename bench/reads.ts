// Reads and the callback path as the data grows: smsDeliveries (50 per page, with action and
// campaign) at concurrency 50, SQL statements per request, and signed callbacks, at 10,000 and
// 1,000,000 deliveries. Usage: npm run bench:reads [-- --sizes 10000,1000000 --requests 2500 --rounds 5]
import { parseArgs } from 'node:util'
import type autocannon from 'autocannon'
import { freePort } from '../harness/net.js'
import { benchEnv, cpuPerOperation, percentile, report, startService, statementsRun } from './lib.js'
import { growDeliveries, pageLoad, pageRead, postCallbacks, seed, summary } from './seed.js'

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,1000000' },
    requests: { type: 'string', default: '2500' },
    rounds: { type: 'string', default: '5' },
  },
})
const SIZES = String(args.sizes).split(',').map(Number)
const REQUESTS = Number(args.requests)
const ROUNDS = Number(args.rounds)
const { url } = await benchEnv()
const data = await seed(1000)
const sample = await data.db.smsDelivery.findFirstOrThrow({ where: { userId: data.userId } })

const statements = () => statementsRun(url)
const rows: Record<string, unknown>[] = []
let callbacksUsed = 0
for (const size of SIZES) {
  const seeding = performance.now()
  await growDeliveries(data.db, sample, size)
  const seededIn = Math.round((performance.now() - seeding) / 1000)
  // The query behind smsDeliveries, as it was (by id) and as it is (along the (userId, createdAt) index).
  const shape = async (orderBy: object) => {
    const times: number[] = []
    for (let k = 0; k < 15; k++) {
      const t = performance.now()
      await data.db.smsDelivery.findMany({ where: { userId: data.userId }, orderBy: orderBy as never, take: 51 })
      times.push(performance.now() - t)
    }
    return Number(percentile(times, 50).toFixed(1))
  }
  const byId = await shape({ id: 'desc' })
  const byCreated = await shape([{ createdAt: 'desc' }, { id: 'desc' }])
  const service = await startService({ LOG_LEVEL: 'warn' })
  const perRequest: Record<number, number> = {}
  for (const first of [10, 50]) {
    const before = await statements()
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${data.key}` },
      body: pageRead(first),
    })
    perRequest[first] = (await statements()) - before
  }
  // The page at concurrency 20, beside the bare joined read, alternating after a warm-up; CPU per
  // read from each process, the steadier figure on a shared machine.
  const basePort = await freePort()
  const baseline = await startService({ PORT: String(basePort) }, 'bench/baseline-reads.ts')
  const baseUrl = `http://127.0.0.1:${basePort}`
  const perRound = Math.round(REQUESTS / ROUNDS)
  const load = (target: string, pid: number, amount: number) => cpuPerOperation(pid, amount, () => pageLoad(target, data.key, amount))
  await load(url, service.proc.pid as number, 300)
  await load(baseUrl, baseline.proc.pid as number, 300)
  const svcRounds: autocannon.Result[] = []
  const baseRounds: autocannon.Result[] = []
  const svcCpu: number[] = []
  const baseCpu: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const [svc, svcMs] = await load(url, service.proc.pid as number, perRound)
    const [base, baseMs] = await load(baseUrl, baseline.proc.pid as number, perRound)
    svcRounds.push(svc)
    baseRounds.push(base)
    svcCpu.push(svcMs)
    baseCpu.push(baseMs)
  }
  baseline.proc.kill('SIGTERM')
  await baseline.exited
  const p50 = (list: autocannon.Result[]) =>
    percentile(
      list.map((x) => x.latency.p50),
      50,
    )
  const median = (list: number[]) => percentile(list, 50)
  const reads = svcRounds.at(-1) as autocannon.Result
  const sids = data.sids.slice(callbacksUsed, callbacksUsed + 500)
  callbacksUsed += 500
  const callbacks = summary(await postCallbacks(`${url}/webhooks/twilio/status`, data, sids))
  const read = summary(reads)
  service.proc.kill('SIGTERM')
  await service.exited
  rows.push({
    deliveries: size,
    'seeded in s': seededIn,
    'page query by id (before) p50 ms': byId,
    'page query by createdAt (after) p50 ms': byCreated,
    'statements/read (10 per page)': perRequest[10],
    'statements/read (50 per page)': perRequest[50],
    'reads/s': read['req/s'],
    'read p50 ms (c=20)': p50(svcRounds),
    'bare joined read p50 ms': p50(baseRounds),
    'read ratio': Number((p50(svcRounds) / p50(baseRounds)).toFixed(2)),
    'CPU per read ms, service / bare': `${median(svcCpu).toFixed(2)} / ${median(baseCpu).toFixed(2)}`,
    'CPU ratio': Number((median(svcCpu) / median(baseCpu)).toFixed(2)),
    'read p99 ms': read['p99 ms'],
    'callbacks/s': callbacks['req/s'],
    'callback p99 ms': callbacks['p99 ms'],
    non2xx: read.non2xx + callbacks.non2xx,
  })
}
report('reads-and-data-size', rows, {
  concurrency: 20,
  requests: REQUESTS,
  rounds: ROUNDS,
  target: 'smsDeliveries(first: 50) ≤ 3× the bare joined read',
})
await data.db.$disconnect()
