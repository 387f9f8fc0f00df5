import { createHash } from 'node:crypto'
import { z } from 'zod'
import { cleanText } from '../../text.js'
import { refuse } from './refusals.js'
import { MAX_VARIABLES } from './template.js'

/** The call a text is sent during, as sendSms and the tool calls take it. */
/** The longest call id a text may be sent on (and so the longest worth looking for). */
export const CALL_ID_MAX = 128
export const CallContext = z.object({
  callId: cleanText().trim().min(1).max(CALL_ID_MAX),
  customerPhoneNumber: cleanText().trim().min(1).max(40),
})

const Input = z.object({
  campaignId: cleanText().min(1).max(64),
  smsActionId: cleanText().min(1).max(64),
  call: CallContext,
  to: cleanText().trim().max(40).nullish(),
  body: cleanText().max(20_000).nullish(),
  variables: z
    .record(cleanText().max(64), z.union([cleanText().max(1000), z.number(), z.boolean()]))
    .refine((v) => Object.keys(v).length <= MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`)
    .nullish(),
  idempotencyKey: cleanText().min(1).max(255).nullish(),
  callerAgreed: z.boolean().nullish(),
})

/** sendSms' and previewSms' input, as the caller gives it. */
export type SendInput = z.input<typeof Input>
/** The input once checked. */
export type SendRequest = z.output<typeof Input>

/** Checks the input's shape; a refusal (VALIDATION) names the first bad field. */
export function parseSendInput(raw: SendInput): SendRequest {
  return parsed(Input, raw)
}

/** Checks a tool call's call (its id goes to the database: a NUL character must not). */
export function parseCallContext(raw: z.input<typeof CallContext>, at = 'call'): z.output<typeof CallContext> {
  return parsed(CallContext, raw, `${at}.`)
}

/** A tool's name as the LLM gave it: longer than any LLM API allows is no tool's, and NUL cannot be looked up. */
export function parseToolName(raw: string): string {
  return parsed(cleanText().min(1).max(256), raw, 'toolCall.name')
}

function parsed<S extends z.ZodType>(schema: S, raw: unknown, prefix = ''): z.output<S> {
  const r = schema.safeParse(raw)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw refuse('VALIDATION', `${prefix}${issue?.path.join('.')}: ${issue?.message}`)
}

/** A stable hash of what was asked, to tell a retry from a different request with the same key. */
export function requestHash(i: SendRequest): string {
  const vars = Object.entries(i.variables ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const canonical = [i.campaignId, i.smsActionId, i.call.callId, i.call.customerPhoneNumber, i.to ?? '', i.body ?? '', vars]
  // Only a yes changes the request: hashes of requests that never said so stay as they were.
  if (i.callerAgreed) canonical.push('callerAgreed')
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}
