// An agent runtime's side of SMS Actions, driven by recorded LLM turns (one per provider's tool-call
// shape), through the typed client in client/: fetch the tools, hand each tool call over, give the
// tool result back to the LLM, and watch the text reach DELIVERED.
//
//   ADMIN_TOKEN=… npm start &                            # embedded default, Atlas sandbox
//   ADMIN_TOKEN=… npx tsx examples/agent-runtime.ts      # the same token: sets up a user, an action, a campaign
//   SMS_AGENT_KEY=sk_… SMS_CAMPAIGN_ID=… npx tsx examples/agent-runtime.ts   # or uses yours
import { createAgentRuntime, type DeliveryUpdate, toolCallFrom } from '../client/index.js'

const url = process.env.SMS_URL ?? 'http://localhost:4000'

/** Plain GraphQL, for the owner's set-up (the runtime itself uses the typed client). */
async function gql(query: string, variables: Record<string, unknown>, key: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  })
  const body = await res.json()
  if (body.errors) throw new Error(JSON.stringify(body.errors))
  return body.data
}

/** An Atlas (sandbox) action with a template, on a campaign that offers the delivery-status tool, and an AGENT key. */
async function setUp(adminToken: string) {
  const email = `runtime-${Date.now()}@example.com`
  const user = await gql(
    'mutation($e: String!) { createUser(input: { email: $e, enabledProviders: [ATLAS] }) { ... on CreateUserSuccess { key } ... on Error { code message } } }',
    { e: email },
    adminToken,
  )
  if (!user.createUser.key) {
    const why = user.createUser.code === 'UNAUTHENTICATED' ? ' (start the service with the same ADMIN_TOKEN)' : ''
    throw new Error(`createUser was refused: ${user.createUser.code} ${user.createUser.message}${why}`)
  }
  const owner = user.createUser.key as string
  const action = await gql(
    `mutation { createSmsAction(input: { name: "send_booking_confirmation", provider: ATLAS, recipientPolicy: CALLER_ONLY,
      description: "Use this to text the booking confirmation after the caller agrees to a time.",
      messageTemplate: "Hi {{name}}, you are booked for {{time}}." }) { ... on CreateSmsActionSuccess { smsAction { id } } ... on Error { code message } } }`,
    {},
    owner,
  )
  const campaign = await gql(
    'mutation { createCampaign(input: { name: "Front desk", deliveryStatusTool: true }) { ... on CreateCampaignSuccess { campaign { id } } } }',
    {},
    owner,
  )
  const campaignId = campaign.createCampaign.campaign.id as string
  await gql(
    'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }',
    { c: campaignId, a: action.createSmsAction.smsAction.id },
    owner,
  )
  const agent = await gql(
    'mutation { createApiKey(input: { name: "runtime", role: AGENT }) { ... on CreateApiKeySuccess { key } } }',
    {},
    owner,
  )
  return { agentKey: agent.createApiKey.key as string, campaignId }
}

const given = process.env.SMS_AGENT_KEY && process.env.SMS_CAMPAIGN_ID
const { agentKey, campaignId } = given
  ? { agentKey: process.env.SMS_AGENT_KEY as string, campaignId: process.env.SMS_CAMPAIGN_ID as string }
  : await setUp(process.env.ADMIN_TOKEN ?? '')
const runtime = createAgentRuntime({ url, key: agentKey })

for (const format of ['OPENAI_CHAT', 'OPENAI_RESPONSES', 'OPENAI_REALTIME', 'ANTHROPIC', 'GEMINI', 'MCP'] as const) {
  const tools = (await runtime.tools(campaignId, format)) as { name?: string; function?: { name: string } }[]
  console.log(`tools (${format}): ${tools.map((t) => t.function?.name ?? t.name).join(', ')}`)
}

// What each LLM API hands the runtime when the model decides to send the confirmation, as recorded.
const stamp = Date.now().toString(36)
const args = { name: 'Ada', time: '7pm' }
// OpenAI Realtime: a completed response.done (the calls of a response the caller interrupted are never texted).
const [realtimeCall] = toolCallFrom.openaiRealtimeResponse({
  type: 'response.done',
  response: {
    status: 'completed',
    output: [
      {
        type: 'function_call',
        status: 'completed',
        call_id: `call_${stamp}c`,
        name: 'send_booking_confirmation',
        arguments: JSON.stringify(args),
      },
    ],
  },
})
if (!realtimeCall) throw new Error('a completed response.done carries its function call')

const turns = [
  {
    llm: 'openai chat',
    caller: '+14155550101',
    toolCall: toolCallFrom.openaiChat({
      id: `call_${stamp}a`,
      function: { name: 'send_booking_confirmation', arguments: JSON.stringify(args) },
    }),
  },
  {
    llm: 'anthropic',
    caller: '+14155550102',
    toolCall: toolCallFrom.anthropic({ id: `toolu_${stamp}b`, name: 'send_booking_confirmation', input: args }),
  },
  {
    llm: 'openai realtime',
    caller: '+14155550103',
    toolCall: realtimeCall,
  },
  { llm: 'gemini', caller: '+14155550104', toolCall: toolCallFrom.gemini({ name: 'send_booking_confirmation', args }, `call-${stamp}-d`) },
]

for (const turn of turns) {
  const call = { callId: `call-${stamp}-${turn.llm.replace(/\W/g, '')}`, customerPhoneNumber: turn.caller }
  const delivered = new Promise<DeliveryUpdate[]>((resolve, reject) => {
    const seen: DeliveryUpdate[] = []
    const stop = runtime.watchCall(
      call.callId,
      (u) => {
        seen.push(u)
        if (['DELIVERED', 'UNDELIVERED', 'FAILED', 'REJECTED'].includes(u.delivery.status)) {
          stop()
          resolve(seen)
        }
      },
      (end) => reject(end.error ?? new Error('the server ended the watch')),
    )
  })
  const handled = await runtime.handleToolCall({ campaignId, call, toolCall: turn.toolCall })
  const shown = typeof turn.toolCall.arguments === 'string' ? turn.toolCall.arguments : JSON.stringify(turn.toolCall.arguments)
  console.log(`[${turn.llm}] ${turn.toolCall.name}(${shown}) → tool result: ${handled.toolResult}`)
  if (handled.refused) throw new Error(`refused: ${handled.refused}`)
  const timeline = await delivered
  const sandbox = timeline.at(-1)?.delivery.sandbox ? ' (sandbox)' : ''
  console.log(`[${turn.llm}] delivery ${handled.deliveryId}: ${timeline.map((u) => u.event.status).join(' → ')}${sandbox}`)
  const status = await runtime.handleToolCall({
    campaignId,
    call,
    toolCall: { id: `${turn.toolCall.id}-status`, name: 'check_text_delivery', arguments: '{}' },
  })
  console.log(`[${turn.llm}] check_text_delivery → tool result: ${status.toolResult}`)
}
await runtime.close()
