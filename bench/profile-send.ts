// CPU profile of the service under sequential sendSms (node --cpu-prof); prints the heaviest functions.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { startService } from './lib.js'
import { sendingBench } from './seed.js'

const { double, url, data, actionId, agentKey } = await sendingBench()
const dir = `/tmp/sms-prof-${Date.now()}`
const service = await startService({ LOG_LEVEL: 'info' }, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const query = `mutation($input: SendSmsInput!) { sendSms(input: $input) { __typename } }`
const started = performance.now()
const N = Number(process.argv[2] ?? 300)
for (let i = 0; i < N; i++) {
  const input = {
    campaignId: data.campaignId,
    smsActionId: actionId,
    call: { callId: `p-${i}`, customerPhoneNumber: '+14155550123' },
    body: 'Hello',
  }
  await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${agentKey}` },
    body: JSON.stringify({ query, variables: { input } }),
  })
}
console.log(`${N} sequential sendSms: ${((performance.now() - started) / N).toFixed(1)} ms each`)
service.proc.kill('SIGTERM')
await service.exited
// tsx runs the service in a child process: its profile is the largest one.
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort((a, b) => statSync(`${dir}/${b}`).size - statSync(`${dir}/${a}`).size)[0] as string
const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[]
  samples: number[]
}
const total = profile.samples.length
const self = new Map<string, number>()
for (const node of profile.nodes) {
  const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${node.callFrame.lineNumber}`
  self.set(key, (self.get(key) ?? 0) + node.hitCount)
}
console.table(
  [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, hits]) => ({ fn: fn.slice(0, 110), 'self %': Number(((hits / total) * 100).toFixed(1)) })),
)
console.log(`profile: ${dir}/${file}`)
await data.db.$disconnect()
await double.close()
