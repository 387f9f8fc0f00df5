import { createHash } from 'node:crypto'
import { z } from 'zod'
import { cleanText } from '../../text.js'
import { refuse } from './refusals.js'

const Input = z.object({
  campaignId: cleanText().min(1).max(64),
  smsActionId: cleanText().min(1).max(64),
  call: z.object({ callId: cleanText().trim().min(1).max(128), customerPhoneNumber: cleanText().trim().min(1).max(40) }),
  to: cleanText().trim().max(40).nullish(),
  body: cleanText().max(20_000).nullish(),
  variables: z.record(cleanText().max(64), z.union([cleanText().max(1000), z.number(), z.boolean()])).nullish(),
  idempotencyKey: cleanText().min(1).max(255).nullish(),
  callerAgreed: z.boolean().nullish(),
})

/** sendSms' and previewSms' input, as the caller gives it. */
export type SendInput = z.input<typeof Input>
/** The input once checked. */
export type SendRequest = z.output<typeof Input>

/** Checks the input's shape; a refusal (VALIDATION) names the first bad field. */
export function parseSendInput(raw: SendInput): SendRequest {
  const r = Input.safeParse(raw)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw refuse('VALIDATION', `${issue?.path.join('.')}: ${issue?.message}`)
}

/** A stable hash of what was asked, to tell a retry from a different request with the same key. */
export function requestHash(i: SendRequest): string {
  const vars = Object.entries(i.variables ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const canonical = [i.campaignId, i.smsActionId, i.call.callId, i.call.customerPhoneNumber, i.to ?? '', i.body ?? '', vars]
  // Only a yes changes the request: hashes of requests that never said so stay as they were.
  if (i.callerAgreed) canonical.push('callerAgreed')
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}
