import { randomBytes } from 'node:crypto'
import type { TwilioDouble } from './twilio-double.js'

export const SET_CREDS = `mutation($input: SetTwilioCredentialsInput!) { setTwilioCredentials(input: $input) {
  __typename ... on SetTwilioCredentialsSuccess { user { twilio { accountSid verifiedAt } } } ... on Error { code message } } }`
export const SEND = `mutation($input: SendSmsInput!) { sendSms(input: $input) {
  __typename
  ... on SendSmsSuccess { agentMessage delivery { id to body status providerMessageId segments encoding sandbox provider errorCode callId idempotencyKey events { status source } } }
  ... on SendSmsError { code message agentMessage retryable recorded: recordedDelivery { id status errorCode to body } } } }`
export const PREVIEW = `mutation($input: SendSmsInput!) { previewSms(input: $input) {
  __typename ... on PreviewSmsSuccess { to body segments encoding provider agentMessage } ... on SendSmsError { code message agentMessage recorded: recordedDelivery { id } } } }`

// biome-ignore lint/suspicious/noExplicitAny: GraphQL responses are checked field by field in tests.
export type Json = any

/** Runs a GraphQL operation with an optional bearer token; returns the parsed body. */
export type Run = (query: string, variables?: Record<string, unknown>, token?: string) => Promise<Json>

/** A GraphQL request to `fetch` (a real server's, or yoga's own in-process one). */
export const over =
  (fetch: (url: string, init: RequestInit) => Promise<Response> | Response, base = 'http://localhost'): Run =>
  async (query, variables = {}, token) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    })
    return res.json()
  }

/**
 * The service's operations as a test or benchmark drives them, through `gql`: users, keys, Twilio
 * credentials at the double, and a ready-to-send action.
 */
export function serviceClient(gql: Run, opts: { adminToken: string; twilio: TwilioDouble }) {
  const { adminToken, twilio } = opts

  /** Runs an operation and returns `data[field]`, failing on GraphQL errors. */
  async function mutate(field: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Json> {
    const body = await gql(query, variables, token)
    if (body.errors) throw new Error(`${field}: ${JSON.stringify(body.errors)}`)
    return body.data[field]
  }

  const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) {
  __typename ... on CreateUserSuccess { key user { id email enabledProviders } apiKey { id role prefix } }
  ... on Error { code message } } }`

  /** Creates a user through the operator mutation; returns its id and OWNER key. */
  async function createUser(providers: string[] = ['ATLAS', 'TWILIO']): Promise<{ id: string; key: string }> {
    const email = `user-${randomBytes(6).toString('hex')}@example.com`
    const r = await mutate('createUser', CREATE_USER, { input: { email, enabledProviders: providers } }, adminToken)
    if (r.__typename !== 'CreateUserSuccess') throw new Error(JSON.stringify(r))
    return { id: r.user.id, key: r.key }
  }

  /** Creates an extra key of a role for the user owning `ownerKey`. */
  async function createKey(ownerKey: string, role: 'OWNER' | 'AGENT' | 'MONITOR'): Promise<string> {
    const r = await mutate(
      'createApiKey',
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on CreateApiKeySuccess { key } ... on Error { code } } }`,
      { input: { name: role.toLowerCase(), role } },
      ownerKey,
    )
    if (!r.key) throw new Error(JSON.stringify(r))
    return r.key
  }

  /** Gives the user a Twilio account at the double and stores its credentials; returns the account. */
  async function withTwilio(ownerKey: string, numbers = [{ phoneNumber: '+14155550100', sms: true }]) {
    const account = twilio.addAccount(numbers)
    const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: account.token } }, ownerKey)
    if (r.__typename !== 'SetTwilioCredentialsSuccess') throw new Error(JSON.stringify(r))
    return account
  }

  /** A user with a Twilio account, an attached TWILIO action and a campaign, ready to send. */
  async function sendingSetup(action: Record<string, unknown> = {}, providers = ['TWILIO', 'ATLAS']) {
    const user = await createUser(providers)
    const account = providers.includes('TWILIO') ? await withTwilio(user.key, [{ phoneNumber: '+14155550100', sms: true }]) : undefined
    const created = await mutate(
      'createSmsAction',
      `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) { ... on CreateSmsActionSuccess { smsAction { id } } ... on Error { code message } } }`,
      {
        input: {
          name: 'send_text',
          description: 'Text the caller what they asked for.',
          provider: 'TWILIO',
          fromNumber: '+14155550100',
          ...action,
        },
      },
      user.key,
    )
    if (!created.smsAction) throw new Error(JSON.stringify(created))
    const campaign = await mutate(
      'createCampaign',
      `mutation { createCampaign(input: { name: "Calls" }) { ... on CreateCampaignSuccess { campaign { id } } } }`,
      {},
      user.key,
    )
    await mutate(
      'attachSmsAction',
      `mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }`,
      { c: campaign.campaign.id, a: created.smsAction.id },
      user.key,
    )
    const agent = await createKey(user.key, 'AGENT')
    const input = (extra: Record<string, unknown> = {}) => ({
      campaignId: campaign.campaign.id,
      smsActionId: created.smsAction.id,
      call: { callId: 'call-1', customerPhoneNumber: '+14155550123' },
      body: 'Your table for two is booked for 7pm.',
      ...extra,
    })
    const send = (extra: Record<string, unknown> = {}, key = agent) => mutate('sendSms', SEND, { input: input(extra) }, key)
    const preview = (extra: Record<string, unknown> = {}, key = agent) => mutate('previewSms', PREVIEW, { input: input(extra) }, key)
    return {
      user,
      agent,
      account,
      actionId: created.smsAction.id as string,
      campaignId: campaign.campaign.id as string,
      input,
      send,
      preview,
    }
  }
  return { gql, mutate, createUser, createKey, withTwilio, sendingSetup }
}
