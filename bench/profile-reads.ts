// CPU profile of the service under smsDeliveries(first: 50) at concurrency 20 (node --cpu-prof).
// Usage: npx tsx bench/profile-reads.ts [requests]
import { benchEnv } from './lib.js'
import { byPackage, heaviest, startProfiled } from './profile.js'
import { pageLoad, seed } from './seed.js'

const N = Number(process.argv[2] ?? 4000)
const { url } = await benchEnv()
const data = await seed(1000)
const { stop } = await startProfiled({ LOG_LEVEL: 'warn' })
const load = (amount: number) => pageLoad(url, data.key, amount)
await load(200)
const result = await load(N)
console.log(`p50 ${result.latency.p50} ms, ${result.requests.average} req/s, non2xx ${result.non2xx}`)
const file = await stop()
console.table(heaviest(file, 30))
console.table(byPackage(file))
console.log(`profile: ${file}`)
await data.db.$disconnect()
