// CPU profile of the service under smsDeliveries(first: 50) at concurrency 20 (node --cpu-prof).
// Usage: npx tsx bench/profile-reads.ts [requests]
import autocannon from 'autocannon'
import { benchEnv } from './lib.js'
import { byPackage, heaviest, startProfiled } from './profile.js'
import { seed } from './seed.js'

const N = Number(process.argv[2] ?? 4000)
const { url } = await benchEnv()
const data = await seed(1000)
const { stop } = await startProfiled({ LOG_LEVEL: 'warn' })
const body = JSON.stringify({
  query: '{ smsDeliveries(first: 50) { edges { node { id status to createdAt smsAction { id name } campaign { id name } } } } }',
})
const load = (amount: number) =>
  autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: 20,
    amount,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${data.key}` },
    body,
  })
await load(200)
const result = await load(N)
console.log(`p50 ${result.latency.p50} ms, ${result.requests.average} req/s, non2xx ${result.non2xx}`)
const file = await stop()
console.table(heaviest(file, 30))
console.table(byPackage(file))
console.log(`profile: ${file}`)
await data.db.$disconnect()
