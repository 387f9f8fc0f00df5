import { SegmentedMessage } from 'sms-segments-calculator'

export const MAX_BODY_CHARS = 1600

// GSM 03.38's basic character set: a text made of these alone is one septet per character.
const GSM7_BASIC = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà]*$/

/** Segment count and encoding as Twilio computes them (GSM-7 160/153, UCS-2 70/67). */
export function measure(body: string): { segments: number; encoding: 'GSM7' | 'UCS2'; characters: number } {
  // The common case, counted directly: the calculator's grapheme walk costs ~0.1 ms a text.
  if (GSM7_BASIC.test(body)) {
    return { segments: body.length <= 160 ? 1 : Math.ceil(body.length / 153), encoding: 'GSM7', characters: body.length }
  }
  const m = new SegmentedMessage(body, 'auto')
  return { segments: m.segmentsCount, encoding: m.encodingName === 'UCS-2' ? 'UCS2' : 'GSM7', characters: m.numberOfCharacters }
}
