import { type ChildProcess, spawn } from 'node:child_process'
import { over } from './client.js'

export interface ServerProcess {
  proc: ChildProcess
  url: string
  output: () => string
  /** Waits for the process to exit (after a kill). */
  exited: Promise<number | null>
}

/** Starts the service (or another script) as a separate process (`node --import tsx …`), port 0 unless given. */
export async function startServer(
  env: Record<string, string> = {},
  script = 'src/main.ts',
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FILE: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Kept as chunks, joined when asked: a string grown by every chunk and searched on each was
  // copied whole every time, and under load that copying took CPU from the process measured.
  const chunks: string[] = []
  const keep = (d: unknown) => void chunks.push(String(d))
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  const output = () => chunks.join('')
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output()}`)), 30_000)
    const check = () => {
      const m = /"port":(\d+),[^\n]*"msg":"listening"/.exec(output())
      if (m) {
        clearTimeout(timer)
        proc.stdout?.off('data', check)
        resolve(Number(m[1]))
      }
    }
    proc.stdout?.on('data', check)
    proc.once('exit', () => reject(new Error(`server exited:\n${output()}`)))
    // With a fixed port and quiet logs, the health check tells when it is up.
    const fixed = Number(env.PORT ?? process.env.PORT)
    if (fixed) {
      const poll = setInterval(async () => {
        const up = await fetch(`http://127.0.0.1:${fixed}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
        if (up) {
          clearInterval(poll)
          clearTimeout(timer)
          proc.stdout?.off('data', check)
          resolve(fixed)
        }
      }, 100)
      proc.once('exit', () => clearInterval(poll))
    }
  })
  return { proc, url: `http://127.0.0.1:${port}`, output, exited }
}

/** Posts a GraphQL operation to a running server. */
export const post = (url: string, query: string, variables: Record<string, unknown>, token: string) =>
  over(fetch, url)(query, variables, token)
