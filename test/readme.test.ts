import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from '../harness/process.js'
import { config, twilio } from './support/helpers.js'

// The README's first-text section, run as written: its shell blocks, in order, against a started
// service (the Twilio variant against the Twilio double).
const running: ServerProcess[] = []
afterAll(async () => {
  for (const s of running) s.proc.kill('SIGKILL')
  await Promise.all(running.map((s) => s.exited))
})

/** The ```sh blocks of the README section headed `heading`. */
function shellBlocks(heading: string): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const start = readme.indexOf(`## ${heading}`)
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string)
}

describe('README: your first text in five minutes', () => {
  it('runs as written, to a delivered text and a Twilio message', async () => {
    const server = await startServer({ SANDBOX_DELAY_MS: '500' })
    running.push(server)
    const account = twilio.addAccount([{ phoneNumber: '+14155550100', sms: true }])
    const blocks = shellBlocks('Your first text in five minutes')
    expect(blocks.length).toBeGreaterThanOrEqual(5)
    const script = join(dirname(config.logFile as string), 'readme.sh')
    writeFileSync(script, `set -euo pipefail\n${blocks.join('\n')}`)
    const started = Date.now()
    // Not spawnSync: the Twilio double answers from this process's event loop.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = {
        ...process.env,
        SMS: server.url,
        TWILIO_ACCOUNT_SID: account.sid,
        TWILIO_AUTH_TOKEN: account.token,
        TWILIO_NUMBER: '+14155550100',
      }
      const child = spawn('bash', [script], { env, timeout: 120_000 })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => {
        stdout += String(d)
      })
      child.stderr.on('data', (d) => {
        stderr += String(d)
      })
      child.on('close', (status) => resolve({ status, stdout, stderr }))
    })
    console.log(`README first-text section: ${Date.now() - started} ms`)
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    const out = run.stdout
    expect(out).toMatch(/^action c\w+$/m)
    expect(out).toContain('"name": "send_booking_confirmation"')
    expect(out).toContain('Text is on its way to the number ending 0123.')
    expect(out).toMatch(/data: \{"data":\{"smsDeliveryUpdated":\{"delivery":\{"status":"DELIVERED","sandbox":true\}/)
    expect(out).toContain('The text to the number ending 0123 was delivered (in the sandbox')
    expect(out).toContain(`"accountSid": "${account.sid}"`)
    expect(out).toMatch(/"providerMessageId": "SM[0-9a-f]{32}"/)
    const sent = [...twilio.messages.values()].filter((m) => m.account === account)
    expect(sent.map((m) => m.resource.body)).toEqual(['Here is the link: https://example.com/menu'])
  }, 150_000)
})
