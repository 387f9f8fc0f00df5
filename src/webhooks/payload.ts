import type { ClaimedMessage } from '../stores/webhooks.js'

/** The event type of a status: sms.delivered, sms.failed… */
export const eventTypeOf = (status: string) => `sms.${status.toLowerCase()}`

/**
 * The JSON body of a message, in the Standard Webhooks shape ({type, timestamp, data}): the status
 * change as it was recorded. The text's body is left out: receivers log what they get.
 */
export function payloadOf(m: ClaimedMessage): string {
  const { event, delivery: d } = m
  return JSON.stringify({
    type: eventTypeOf(event.status),
    timestamp: event.at.toISOString(),
    data: {
      deliveryId: d.id,
      status: event.status,
      errorCode: event.errorCode,
      errorMessage: event.errorCode ? d.errorMessage : null,
      source: event.source,
      callId: d.callId,
      campaignId: d.campaignId,
      smsActionId: d.smsActionId,
      to: d.to,
      provider: d.provider,
      providerMessageId: d.providerMessageId,
      segments: d.segments,
      sandbox: d.sandbox,
      createdAt: d.createdAt.toISOString(),
    },
  })
}
