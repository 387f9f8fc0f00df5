import { readFileSync } from 'node:fs'
import { buildApp } from '../../src/app.js'
import { config } from '../../src/config.js'

/** The service under test, in-process: queries go through yoga.fetch. */
export const app = buildApp({ port: 0, host: '127.0.0.1' })
export const twilio = globalThis.__twilio
export const adminToken = config.adminToken as string

// biome-ignore lint/suspicious/noExplicitAny: GraphQL responses are checked field by field in tests.
export type Json = any

/** Runs a GraphQL operation with an optional bearer token; returns the parsed body. */
export async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Json> {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  })
  return res.json()
}

/** Runs an operation and returns `data[field]`, failing on GraphQL errors. */
export async function mutate(field: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Json> {
  const body = await gql(query, variables, token)
  if (body.errors) throw new Error(`${field}: ${JSON.stringify(body.errors)}`)
  return body.data[field]
}

const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) {
  __typename ... on CreateUserSuccess { key user { id email enabledProviders } apiKey { id role prefix } }
  ... on Error { code message } } }`

let n = 0
/** Creates a user through the operator mutation; returns its id and OWNER key. */
export async function createUser(providers: string[] = ['ATLAS', 'TWILIO']): Promise<{ id: string; key: string }> {
  n += 1
  const email = `user${n}-${Date.now()}@example.com`
  const r = await mutate('createUser', CREATE_USER, { input: { email, enabledProviders: providers } }, adminToken)
  if (r.__typename !== 'CreateUserSuccess') throw new Error(JSON.stringify(r))
  return { id: r.user.id, key: r.key }
}

/** Creates an extra key of a role for the user owning `ownerKey`. */
export async function createKey(ownerKey: string, role: 'OWNER' | 'AGENT' | 'MONITOR'): Promise<string> {
  const r = await mutate(
    'createApiKey',
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on CreateApiKeySuccess { key } ... on Error { code } } }`,
    { input: { name: role.toLowerCase(), role } },
    ownerKey,
  )
  if (!r.key) throw new Error(JSON.stringify(r))
  return r.key
}

const SET_CREDS = `mutation($input: SetTwilioCredentialsInput!) { setTwilioCredentials(input: $input) {
  __typename ... on SetTwilioCredentialsSuccess { user { twilio { accountSid verifiedAt } } } ... on Error { code message } } }`

/** Gives the user a Twilio account at the double and stores its credentials; returns the account. */
export async function withTwilio(ownerKey: string, numbers = [{ phoneNumber: '+14155550100', sms: true }]) {
  const account = twilio.addAccount(numbers)
  const r = await mutate('setTwilioCredentials', SET_CREDS, { input: { accountSid: account.sid, authToken: account.token } }, ownerKey)
  if (r.__typename !== 'SetTwilioCredentialsSuccess') throw new Error(JSON.stringify(r))
  return account
}
export { SET_CREDS }

/** Everything the service logged so far in this test file. */
export function serviceLog(): string {
  return config.logFile ? readFileSync(config.logFile, 'utf8') : ''
}
