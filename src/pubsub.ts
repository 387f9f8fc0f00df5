import { createPubSub } from 'graphql-yoga'
import type { SmsDelivery, SmsDeliveryEvent } from './generated/prisma/client.js'

/** What subscribers receive when a delivery changes status: the row as written, and the event. */
export interface DeliveryUpdate {
  delivery: SmsDelivery
  event: SmsDeliveryEvent
}

/** Typed topics, in-process by default. */
export const pubsub = createPubSub<{
  'delivery:updated': [DeliveryUpdate]
  'apiKey:revoked': [{ keyId: string }]
}>()
