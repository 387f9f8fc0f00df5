/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] }
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never }

import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core'
/** The LLM API whose tool definitions agentTools answers in. */
export type AgentToolFormat =
  /** Anthropic Messages API `tools`: {name, description, input_schema}. */
  | 'ANTHROPIC'
  /** Gemini `functionDeclarations`: {name, description, parameters} (its OpenAPI schema subset). */
  | 'GEMINI'
  /** Model Context Protocol tools (tools/list): {name, description, inputSchema}. */
  | 'MCP'
  /** The same as OPENAI_CHAT (its first name, kept for existing clients). */
  | 'OPENAI'
  /** OpenAI Chat Completions `tools`: {type: "function", function: {name, description, parameters, strict: true}}. */
  | 'OPENAI_CHAT'
  /** OpenAI Realtime API session `tools`: {type: "function", name, description, parameters}. */
  | 'OPENAI_REALTIME'
  /** OpenAI Responses API `tools`: {type: "function", name, description, parameters, strict: true}. */
  | 'OPENAI_RESPONSES'

export type CallContextInput = {
  callId: string
  /** The caller's number (E.164). */
  customerPhoneNumber: string
}

export type ErrorCode =
  | 'ACTION_DISABLED'
  | 'ACTION_NOT_ATTACHED'
  | 'ALREADY_EXISTS'
  | 'BODY_TOO_LONG'
  | 'CALL_LIMIT_REACHED'
  | 'CONSENT_REQUIRED'
  | 'DAILY_LIMIT_REACHED'
  | 'FORBIDDEN'
  | 'FROM_NUMBER_NOT_OWNED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'INVALID_RECIPIENT'
  | 'LANDLINE_RECIPIENT'
  | 'NOT_FOUND'
  | 'OPTED_OUT'
  | 'PROVIDER_ERROR'
  | 'PROVIDER_NOT_ENABLED'
  | 'PROVIDER_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'RECIPIENT_LIMIT_REACHED'
  | 'RECIPIENT_NOT_ALLOWED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'TWILIO_CREDENTIALS_INVALID'
  | 'TWILIO_CREDENTIALS_MISSING'
  | 'UNAUTHENTICATED'
  | 'VALIDATION'

export type SmsDeliveryStatus = 'DELIVERED' | 'FAILED' | 'PENDING' | 'QUEUED' | 'REJECTED' | 'SENDING' | 'SENT' | 'UNDELIVERED'

export type SmsToolCallInput = {
  /** The call the tool call happened on. */
  call: CallContextInput
  /** The campaign whose agentTools the LLM was given. */
  campaignId: string | number
  /** The tool call. */
  toolCall: ToolCallInput
}

/** A tool call as the LLM produced it. */
export type ToolCallInput = {
  /** The arguments: the JSON string the LLM produced, or the object. */
  arguments: unknown
  /** The tool call’s id: used as the idempotency key, so a retried call never texts twice. */
  id: string
  /** The tool’s name (an action’s name, or check_text_delivery). */
  name: string
}

export type AgentToolsQueryVariables = Exact<{
  campaignId: string | number
  format?: AgentToolFormat | null | undefined
}>

export type AgentToolsQuery = { campaign: { id: string; agentTools: unknown } | null }

export type SendSmsToolCallMutationVariables = Exact<{
  input: SmsToolCallInput
}>

export type SendSmsToolCallMutation = {
  sendSmsToolCall:
    | { __typename: 'SendSmsError'; code: ErrorCode; message: string; agentMessage: string; retryable: boolean }
    | {
        __typename: 'SendSmsToolCallSuccess'
        toolResult: string
        sent: { delivery: { id: string; status: SmsDeliveryStatus; to: string } } | null
      }
}

export type PreviewSmsToolCallMutationVariables = Exact<{
  input: SmsToolCallInput
}>

export type PreviewSmsToolCallMutation = {
  previewSmsToolCall:
    | { __typename: 'PreviewSmsToolCallSuccess'; toolResult: string }
    | { __typename: 'SendSmsError'; code: ErrorCode; message: string; agentMessage: string }
}

export type CallTextStatusQueryVariables = Exact<{
  callId: string
  campaignId?: string | number | null | undefined
}>

export type CallTextStatusQuery = { callTextStatus: { sentence: string } }

export type CallDeliveriesSubscriptionVariables = Exact<{
  callId: string
}>

export type CallDeliveriesSubscription = {
  smsDeliveryUpdated: {
    delivery: { id: string; status: SmsDeliveryStatus; to: string; errorCode: string | null; errorMessage: string | null; sandbox: boolean }
    event: { status: SmsDeliveryStatus; source: string; at: string }
  }
}

export const AgentToolsDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'AgentTools' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'campaignId' } },
          type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'ID' } } },
        },
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'format' } },
          type: { kind: 'NamedType', name: { kind: 'Name', value: 'AgentToolFormat' } },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'campaign' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'id' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'campaignId' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'agentTools' },
                  arguments: [
                    {
                      kind: 'Argument',
                      name: { kind: 'Name', value: 'format' },
                      value: { kind: 'Variable', name: { kind: 'Name', value: 'format' } },
                    },
                  ],
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<AgentToolsQuery, AgentToolsQueryVariables>
export const SendSmsToolCallDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'SendSmsToolCall' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
          type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'SmsToolCallInput' } } },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'sendSmsToolCall' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'input' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: '__typename' } },
                {
                  kind: 'InlineFragment',
                  typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'SendSmsToolCallSuccess' } },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'toolResult' } },
                      {
                        kind: 'Field',
                        name: { kind: 'Name', value: 'sent' },
                        selectionSet: {
                          kind: 'SelectionSet',
                          selections: [
                            {
                              kind: 'Field',
                              name: { kind: 'Name', value: 'delivery' },
                              selectionSet: {
                                kind: 'SelectionSet',
                                selections: [
                                  { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                                  { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                                  { kind: 'Field', name: { kind: 'Name', value: 'to' } },
                                ],
                              },
                            },
                          ],
                        },
                      },
                    ],
                  },
                },
                {
                  kind: 'InlineFragment',
                  typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Error' } },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'code' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'message' } },
                    ],
                  },
                },
                {
                  kind: 'InlineFragment',
                  typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'SendSmsError' } },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'agentMessage' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'retryable' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<SendSmsToolCallMutation, SendSmsToolCallMutationVariables>
export const PreviewSmsToolCallDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'PreviewSmsToolCall' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
          type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'SmsToolCallInput' } } },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'previewSmsToolCall' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'input' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'input' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: '__typename' } },
                {
                  kind: 'InlineFragment',
                  typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'PreviewSmsToolCallSuccess' } },
                  selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'toolResult' } }] },
                },
                {
                  kind: 'InlineFragment',
                  typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Error' } },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'code' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'message' } },
                    ],
                  },
                },
                {
                  kind: 'InlineFragment',
                  typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'SendSmsError' } },
                  selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'agentMessage' } }] },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<PreviewSmsToolCallMutation, PreviewSmsToolCallMutationVariables>
export const CallTextStatusDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'CallTextStatus' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'callId' } },
          type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } } },
        },
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'campaignId' } },
          type: { kind: 'NamedType', name: { kind: 'Name', value: 'ID' } },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'callTextStatus' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'callId' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'callId' } },
              },
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'campaignId' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'campaignId' } },
              },
            ],
            selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'sentence' } }] },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<CallTextStatusQuery, CallTextStatusQueryVariables>
export const CallDeliveriesDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'subscription',
      name: { kind: 'Name', value: 'CallDeliveries' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'callId' } },
          type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } } },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'smsDeliveryUpdated' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'callId' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'callId' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'delivery' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'to' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'errorCode' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'errorMessage' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'sandbox' } },
                    ],
                  },
                },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'event' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'status' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'source' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'at' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<CallDeliveriesSubscription, CallDeliveriesSubscriptionVariables>
