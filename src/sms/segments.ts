import { SegmentedMessage } from 'sms-segments-calculator'

export const MAX_BODY_CHARS = 1600

/** Segment count and encoding as Twilio computes them (GSM-7 160/153, UCS-2 70/67). */
export function measure(body: string): { segments: number; encoding: 'GSM7' | 'UCS2'; characters: number } {
  const m = new SegmentedMessage(body, 'auto')
  return { segments: m.segmentsCount, encoding: m.encodingName === 'UCS-2' ? 'UCS2' : 'GSM7', characters: m.numberOfCharacters }
}
