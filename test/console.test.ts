import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { app, createKey, createUser, mutate, SEND, services } from './support/helpers.js'

// The console in a real headless Chromium (Debian's package; .ci/run installs it).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SHOTS = 'test-screenshots'
let browser: Awaited<ReturnType<typeof chromium.launch>>

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`)
  await app.start()
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] })
})
afterAll(() => browser?.close())

async function atlasCampaign() {
  const user = await createUser(['ATLAS'])
  const action = (name: string, extra: Record<string, unknown> = {}) =>
    mutate(
      'createSmsAction',
      `mutation($input: CreateSmsActionInput!) { createSmsAction(input: $input) { ... on CreateSmsActionSuccess { smsAction { id } } } }`,
      { input: { name, description: 'Text the booking.', provider: 'ATLAS', ...extra } },
      user.key,
    )
  const [booking, consent] = [await action('send_booking'), await action('send_offer', { requiresConsent: true })]
  const campaign = await mutate(
    'createCampaign',
    'mutation { createCampaign(input: { name: "Front desk" }) { ... on CreateCampaignSuccess { campaign { id } } } }',
    {},
    user.key,
  )
  for (const a of [booking, consent])
    await mutate(
      'attachSmsAction',
      'mutation($c: ID!, $a: ID!) { attachSmsAction(campaignId: $c, smsActionId: $a) { __typename } }',
      { c: campaign.campaign.id, a: a.smsAction.id },
      user.key,
    )
  return {
    campaignId: campaign.campaign.id as string,
    bookingId: booking.smsAction.id as string,
    consentId: consent.smsAction.id as string,
    monitor: await createKey(user.key, 'MONITOR'),
    agent: await createKey(user.key, 'AGENT'),
  }
}

/** Connects the console with the campaign's MONITOR key and watches the campaign. */
async function watchCampaign(page: Page, c: { monitor: string; campaignId: string }) {
  await page.fill('#key', c.monitor)
  await page.click('#connect button')
  await page.getByText('Connected: 1 campaign(s)').waitFor()
  await page.selectOption('#campaign', c.campaignId)
  await page.click('#watch button')
  await page.getByText('Watching the campaign').waitFor()
}

describe('the live delivery console, in a real browser', () => {
  it('shows a text move to DELIVERED live, with its timeline and a refusal’s error, on a phone screen', async () => {
    const c = await atlasCampaign()
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
    await page.goto(`${app.url}/console`)
    const load = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
      return { domContentLoaded: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd) }
    })

    await page.fill('#key', 'sk_not_a_key_000000000000000000000')
    await page.click('#connect button')
    await page.getByText('Could not connect').waitFor()

    await watchCampaign(page, c)

    const call = { callId: 'console-call', customerPhoneNumber: '+14155550123' }
    const sent = await mutate(
      'sendSms',
      SEND,
      { input: { campaignId: c.campaignId, smsActionId: c.bookingId, call, body: 'Table for two at 7pm.' } },
      c.agent,
    )
    const refused = await mutate(
      'sendSms',
      SEND,
      { input: { campaignId: c.campaignId, smsActionId: c.consentId, call, body: 'Ten percent off.' } },
      c.agent,
    )
    expect(refused.code).toBe('CONSENT_REQUIRED')

    const card = page.locator(`#delivery-${sent.delivery.id}`)
    await card.locator('.status', { hasText: 'DELIVERED' }).waitFor({ timeout: 15_000 })
    const timeline = await card.locator('li.event').allTextContents()
    expect(timeline.map((t) => t.split(' · ')[0]?.trim().split(' ').at(-1))).toEqual(['PENDING', 'QUEUED', 'SENT', 'DELIVERED'])
    expect(await card.textContent()).toContain('••• 0123')
    expect(await card.textContent()).not.toContain('+14155550123')
    const refusal = page.locator(`#delivery-${refused.recorded.id}`)
    await refusal.locator('.status', { hasText: 'REJECTED' }).waitFor()
    expect(await refusal.locator('.error').textContent()).toContain('CONSENT_REQUIRED')

    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
    expect(fits).toBe(true)
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: `${SHOTS}/console.png`, fullPage: true })
    const latencies = await page.evaluate(() => (window as unknown as { __consoleLatencies: number[] }).__consoleLatencies)
    const sorted = [...latencies].sort((a, b) => a - b)
    console.log(
      `console: DOMContentLoaded ${load.domContentLoaded} ms, load ${load.load} ms; status change → rendered: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms over ${sorted.length} events`,
    )
    expect(problems).toEqual([])
    await page.close()
  })

  it('subscribes again when the service says updates may have gone by, and goes on showing texts live', async () => {
    const c = await atlasCampaign()
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(`${app.url}/console`)
    await watchCampaign(page, c)
    const send = (body: string) =>
      mutate(
        'sendSms',
        SEND,
        {
          input: {
            campaignId: c.campaignId,
            smsActionId: c.bookingId,
            call: { callId: 'console-gap', customerPhoneNumber: '+14155550123' },
            body,
          },
        },
        c.agent,
      )
    const first = await send('Before the gap.')
    await page.locator(`#delivery-${first.delivery.id}`).waitFor()
    // What a Redis subscriber connection that dropped and came back does to every open subscription.
    expect(services.updates.interrupt()).toBeGreaterThan(0)
    await page.getByText('Watching again after a gap').waitFor({ timeout: 5000 })
    const second = await send('After the gap.')
    await page.locator(`#delivery-${second.delivery.id}`).waitFor({ timeout: 5000 })
    expect(problems).toEqual([])
    await page.close()
  })

  it('serves its assets from the service with a strict content security policy', async () => {
    for (const path of ['/console', '/console/console.js', '/console/console.css', '/console/graphql-ws.js']) {
      const res = await fetch(`${app.url}${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'")
    }
    expect((await fetch(`${app.url}/console`, { method: 'POST' })).status).toBe(405)
  })
})
