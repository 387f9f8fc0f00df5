import { createPubSub } from 'graphql-yoga'

/** What subscribers receive when a delivery changes status. */
export interface DeliveryUpdate {
  deliveryId: string
  userId: string
  campaignId: string
  callId: string
  eventId: string
}

/** Typed topics, in-process by default. */
export const pubsub = createPubSub<{ 'delivery:updated': [DeliveryUpdate] }>()
