// CPU profile of the service under signed status callbacks at concurrency 50 (node --cpu-prof).
// Usage: npx tsx bench/profile-callbacks.ts [callbacks]; then npx tsx bench/top.ts <profile>.
import { readdirSync, statSync } from 'node:fs'
import { benchEnv, startService } from './lib.js'
import { postCallbacks, seed, summary } from './seed.js'

const N = Number(process.argv[2] ?? 6000)
const { url } = await benchEnv()
const data = await seed(N)
const dir = `/tmp/sms-prof-${Date.now()}`
const service = await startService({ RECONCILE_INTERVAL_MS: '0' }, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const half = N / 2
await postCallbacks(`${url}/webhooks/twilio/status`, data, data.sids.slice(0, half))
console.table([summary(await postCallbacks(`${url}/webhooks/twilio/status`, data, data.sids.slice(half)))])
service.proc.kill('SIGTERM')
await service.exited
if (process.env.SHOW_OUTPUT) console.log(service.output().slice(-4000))
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort((a, b) => statSync(`${dir}/${b}`).size - statSync(`${dir}/${a}`).size)[0] as string
console.log(`profile: ${dir}/${file}`)
await data.db.$disconnect()
