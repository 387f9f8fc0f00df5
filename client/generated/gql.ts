/* eslint-disable */

import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core'
import * as types from './graphql.js'

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  'query AgentTools($campaignId: ID!, $format: AgentToolFormat) {\n  campaign(id: $campaignId) {\n    id\n    agentTools(format: $format)\n  }\n}\n\nmutation SendSmsToolCall($input: SmsToolCallInput!) {\n  sendSmsToolCall(input: $input) {\n    __typename\n    ... on SendSmsToolCallSuccess {\n      toolResult\n      sent {\n        delivery {\n          id\n          status\n          to\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n      retryable\n    }\n  }\n}\n\nmutation PreviewSmsToolCall($input: SmsToolCallInput!) {\n  previewSmsToolCall(input: $input) {\n    __typename\n    ... on PreviewSmsToolCallSuccess {\n      toolResult\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n    }\n  }\n}\n\nquery CallTextStatus($callId: String!, $campaignId: ID) {\n  callTextStatus(callId: $callId, campaignId: $campaignId) {\n    sentence\n  }\n}\n\nsubscription CallDeliveries($callId: String!) {\n  smsDeliveryUpdated(callId: $callId) {\n    delivery {\n      id\n      status\n      to\n      errorCode\n      errorMessage\n      sandbox\n    }\n    event {\n      status\n      source\n      at\n    }\n  }\n}': typeof types.AgentToolsDocument
}
const documents: Documents = {
  'query AgentTools($campaignId: ID!, $format: AgentToolFormat) {\n  campaign(id: $campaignId) {\n    id\n    agentTools(format: $format)\n  }\n}\n\nmutation SendSmsToolCall($input: SmsToolCallInput!) {\n  sendSmsToolCall(input: $input) {\n    __typename\n    ... on SendSmsToolCallSuccess {\n      toolResult\n      sent {\n        delivery {\n          id\n          status\n          to\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n      retryable\n    }\n  }\n}\n\nmutation PreviewSmsToolCall($input: SmsToolCallInput!) {\n  previewSmsToolCall(input: $input) {\n    __typename\n    ... on PreviewSmsToolCallSuccess {\n      toolResult\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n    }\n  }\n}\n\nquery CallTextStatus($callId: String!, $campaignId: ID) {\n  callTextStatus(callId: $callId, campaignId: $campaignId) {\n    sentence\n  }\n}\n\nsubscription CallDeliveries($callId: String!) {\n  smsDeliveryUpdated(callId: $callId) {\n    delivery {\n      id\n      status\n      to\n      errorCode\n      errorMessage\n      sandbox\n    }\n    event {\n      status\n      source\n      at\n    }\n  }\n}':
    types.AgentToolsDocument,
}

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query AgentTools($campaignId: ID!, $format: AgentToolFormat) {\n  campaign(id: $campaignId) {\n    id\n    agentTools(format: $format)\n  }\n}\n\nmutation SendSmsToolCall($input: SmsToolCallInput!) {\n  sendSmsToolCall(input: $input) {\n    __typename\n    ... on SendSmsToolCallSuccess {\n      toolResult\n      sent {\n        delivery {\n          id\n          status\n          to\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n      retryable\n    }\n  }\n}\n\nmutation PreviewSmsToolCall($input: SmsToolCallInput!) {\n  previewSmsToolCall(input: $input) {\n    __typename\n    ... on PreviewSmsToolCallSuccess {\n      toolResult\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n    }\n  }\n}\n\nquery CallTextStatus($callId: String!, $campaignId: ID) {\n  callTextStatus(callId: $callId, campaignId: $campaignId) {\n    sentence\n  }\n}\n\nsubscription CallDeliveries($callId: String!) {\n  smsDeliveryUpdated(callId: $callId) {\n    delivery {\n      id\n      status\n      to\n      errorCode\n      errorMessage\n      sandbox\n    }\n    event {\n      status\n      source\n      at\n    }\n  }\n}',
): (typeof documents)['query AgentTools($campaignId: ID!, $format: AgentToolFormat) {\n  campaign(id: $campaignId) {\n    id\n    agentTools(format: $format)\n  }\n}\n\nmutation SendSmsToolCall($input: SmsToolCallInput!) {\n  sendSmsToolCall(input: $input) {\n    __typename\n    ... on SendSmsToolCallSuccess {\n      toolResult\n      sent {\n        delivery {\n          id\n          status\n          to\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n      retryable\n    }\n  }\n}\n\nmutation PreviewSmsToolCall($input: SmsToolCallInput!) {\n  previewSmsToolCall(input: $input) {\n    __typename\n    ... on PreviewSmsToolCallSuccess {\n      toolResult\n    }\n    ... on Error {\n      code\n      message\n    }\n    ... on SendSmsError {\n      agentMessage\n    }\n  }\n}\n\nquery CallTextStatus($callId: String!, $campaignId: ID) {\n  callTextStatus(callId: $callId, campaignId: $campaignId) {\n    sentence\n  }\n}\n\nsubscription CallDeliveries($callId: String!) {\n  smsDeliveryUpdated(callId: $callId) {\n    delivery {\n      id\n      status\n      to\n      errorCode\n      errorMessage\n      sandbox\n    }\n    event {\n      status\n      source\n      at\n    }\n  }\n}']

export function graphql(source: string) {
  return (documents as any)[source] ?? {}
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never
