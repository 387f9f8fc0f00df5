// CPU profile of the service under sequential sendSms (node --cpu-prof); prints where it was spent.
import { byPackage, heaviest, startProfiled } from './profile.js'
import { sendingBench } from './seed.js'

const { double, url, data, actionId, agentKey } = await sendingBench()
const { stop } = await startProfiled({ LOG_LEVEL: 'info' })
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
const file = await stop()
console.table(heaviest(file))
console.table(byPackage(file))
console.log(`profile: ${file}`)
await data.db.$disconnect()
await double.close()
