import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from '../harness/process.js'

// examples/agent-runtime.ts, run as a user would, against the service as its own process.
const running: ServerProcess[] = []
afterAll(async () => {
  for (const s of running) s.proc.kill('SIGKILL')
  await Promise.all(running.map((s) => s.exited))
})

describe('examples/agent-runtime.ts', () => {
  it('fetches the tools, hands over a recorded tool call of each LLM API, and sees each text delivered', async () => {
    const server = await startServer({ SANDBOX_DELAY_MS: '300' })
    running.push(server)
    const example = (env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'examples/agent-runtime.ts'], {
        env: { ...process.env, SMS_URL: server.url, ...env },
        encoding: 'utf8',
        timeout: 60_000,
      })
    // Another operator token than the service's: a refusal that says what to do, not a TypeError.
    const refused = example({ ADMIN_TOKEN: 'not-the-service-token-0123456789' })
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toContain('createUser was refused: UNAUTHENTICATED')
    expect(refused.stderr).toContain('start the service with the same ADMIN_TOKEN')
    const run = example()
    expect(run.status, run.stderr).toBe(0)
    const out = run.stdout
    for (const format of ['OPENAI_CHAT', 'OPENAI_RESPONSES', 'OPENAI_REALTIME', 'ANTHROPIC', 'GEMINI', 'MCP']) {
      expect(out).toContain(`tools (${format}): send_booking_confirmation, check_text_delivery`)
    }
    for (const llm of ['openai chat', 'anthropic', 'openai realtime', 'gemini']) {
      expect(out).toMatch(
        new RegExp(
          `\\[${llm}\\] send_booking_confirmation\\(\\{"name":"Ada","time":"7pm"\\}\\) → tool result: Text (is on its way to|sent to) the number ending 010\\d\\.`,
        ),
      )
      expect(out).toMatch(new RegExp(`\\[${llm}\\] delivery c\\w+: .*DELIVERED \\(sandbox\\)`))
      expect(out).toMatch(
        new RegExp(`\\[${llm}\\] check_text_delivery → tool result: The text to the number ending 010\\d was delivered \\(in the sandbox`),
      )
    }
  }, 90_000)
})
