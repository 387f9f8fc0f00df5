import { describe, expect, it } from 'vitest'
import { deliveryTruth } from '../../src/sms/agent/deliveryTruth.js'
import type { SmsDelivery } from '../../src/stores/deliveries.js'

// What the delivery-status tool tells the agent about a call's texts (newest first).
let n = 0
const text = (status: SmsDelivery['status'], extra: Partial<SmsDelivery> = {}) =>
  ({ id: `d${++n}`, to: '+14155550123', status, sandbox: false, errorCode: null, errorMessage: null, ...extra }) as SmsDelivery

describe('deliveryTruth', () => {
  it('never hides a delivered text behind later refusals, and counts them', () => {
    const refused = (code: string) => text('REJECTED', { errorCode: code, errorMessage: '+14155550123 opted out of texts from ATLAS' })
    const sentence = deliveryTruth([refused('CALL_LIMIT_REACHED'), refused('VALIDATION'), refused('VALIDATION'), text('DELIVERED')])
    expect(sentence).toBe('The text to the number ending 0123 was delivered. 3 other attempts were refused and not sent.')
  })

  it('says why a refused text was not sent in its own words, never the stored message with the full number', () => {
    const sentence = deliveryTruth([
      text('REJECTED', { errorCode: 'OPTED_OUT', errorMessage: '+14155550123 opted out of texts from ATLAS' }),
      text('REJECTED', { errorCode: 'CONSENT_REQUIRED' }),
    ])
    expect(sentence).toBe(
      "The text to the number ending 0123 was not sent: the number has opted out of texts; don't text it. One earlier attempt was refused too.",
    )
    expect(sentence).not.toContain('+1415')
  })

  it('tells the three latest texts that went out, then how many more, and marks sandbox texts', () => {
    const sentence = deliveryTruth([
      text('QUEUED', { sandbox: true, to: '+14155550101' }),
      text('SENT', { to: '+14155550102' }),
      text('UNDELIVERED', { errorCode: '30003', to: '+14155550103' }),
      text('DELIVERED', { to: '+14155550104' }),
    ])
    expect(sentence).toBe(
      'The text to the number ending 0101 is on its way (in the sandbox: nothing really left the platform); it has not been confirmed delivered yet. ' +
        'The text to the number ending 0102 was sent; the carrier has not confirmed delivery yet. ' +
        'The text to the number ending 0103 could not be delivered: the phone is unreachable (switched off or out of coverage); offer to read it out or share it another way. ' +
        '1 earlier text is not listed.',
    )
  })

  it('tells a text that was attempted but not taken yet as such, not on its way, and one never confirmed as not delivered', () => {
    expect(deliveryTruth([text('PENDING', { attempts: 1 })])).toBe(
      "The text to the number ending 0123 has not been taken by the text service yet; it may still go out, so don't send it again.",
    )
    expect(deliveryTruth([text('PENDING', { attempts: 0 })])).toBe(
      'The text to the number ending 0123 is on its way; it has not been confirmed delivered yet.',
    )
    expect(deliveryTruth([text('FAILED', { errorCode: 'PROVIDER_ERROR' })])).toContain(
      'could not be delivered: the text service did not confirm it',
    )
  })
})
