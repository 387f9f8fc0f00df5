// CPU profile of the service under signed status callbacks at concurrency 50 (node --cpu-prof).
// Usage: npx tsx bench/profile-callbacks.ts [callbacks]
import { benchEnv } from './lib.js'
import { byPackage, heaviest, startProfiled } from './profile.js'
import { postCallbacks, seed, summary } from './seed.js'

const N = Number(process.argv[2] ?? 6000)
const { url } = await benchEnv()
const data = await seed(N)
const { stop } = await startProfiled({ RECONCILE_INTERVAL_MS: '0' })
const half = N / 2
await postCallbacks(`${url}/webhooks/twilio/status`, data, data.sids.slice(0, half))
console.table([summary(await postCallbacks(`${url}/webhooks/twilio/status`, data, data.sids.slice(half)))])
const file = await stop()
console.table(heaviest(file))
console.table(byPackage(file))
console.log(`profile: ${file}`)
await data.db.$disconnect()
