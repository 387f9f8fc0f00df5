import { SegmentedMessage } from 'sms-segments-calculator'
import { describe, expect, it } from 'vitest'
import { measure } from '../../src/sms/sending/segments.js'

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const OTHERS = ['^', '{', '}', '\\', '[', '~', ']', '|', '€', 'ç', 'á', '😀', 'ñ', '\t', '\u00a0']

function library(body: string) {
  const m = new SegmentedMessage(body, 'auto')
  return { segments: m.segmentsCount, encoding: m.encodingName === 'UCS-2' ? 'UCS2' : 'GSM7', characters: m.numberOfCharacters }
}

describe('measure', () => {
  it('counts every GSM-7 basic character and random texts of up to 400 of them as the calculator does', () => {
    for (const c of BASIC) expect(measure(c)).toEqual(library(c))
    let seed = 7
    const random = () => {
      seed = (seed * 48271) % 2147483647
      return seed
    }
    for (const length of [0, 1, 152, 153, 154, 159, 160, 161, 305, 306, 307, 400]) {
      for (let k = 0; k < 5; k++) {
        const body = Array.from({ length }, () => BASIC[random() % BASIC.length]).join('')
        expect(measure(body)).toEqual(library(body))
      }
    }
  })

  it('leaves extension characters and Unicode to the calculator', () => {
    for (const c of OTHERS) {
      for (const body of [c, `Booked ${c} table`, `${'a'.repeat(158)}${c}`]) expect(measure(body)).toEqual(library(body))
    }
  })
})
