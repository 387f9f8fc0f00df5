/** The sender key of texts sent through the platform's Messaging Service (Atlas). */
export const ATLAS_SENDER = 'ATLAS'

/** The sender an opt-out is recorded and checked against: the action's number, or the platform's service. */
export function senderOf(x: { fromNumber: string | null }): string {
  return x.fromNumber ?? ATLAS_SENDER
}
