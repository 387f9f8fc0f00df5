import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface StaticAsset {
  type: string
  body: Buffer
}

/** The console's one policy: scripts, styles and connections to this origin only, no framing. */
const POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * The live delivery console: its page, script and style from src/console, and graphql-ws' browser
 * build from the installed package (no CDN). Read once, when the app is built.
 */
export function consoleAssets(): Map<string, StaticAsset> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'console')
  const graphqlWs = join(dirname(createRequire(import.meta.url).resolve('graphql-ws')), '..', 'umd', 'graphql-ws.min.js')
  const file = (path: string, type: string): StaticAsset => ({ type, body: readFileSync(path) })
  return new Map([
    ['/console', file(join(dir, 'index.html'), 'text/html; charset=utf-8')],
    ['/console/console.js', file(join(dir, 'console.js'), 'text/javascript; charset=utf-8')],
    ['/console/console.css', file(join(dir, 'console.css'), 'text/css; charset=utf-8')],
    ['/console/graphql-ws.js', file(graphqlWs, 'text/javascript; charset=utf-8')],
  ])
}

/** Serves one asset (GET or HEAD), with the console's security headers. */
export function serveAsset(asset: StaticAsset, method: string | undefined, res: import('node:http').ServerResponse) {
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end()
    return
  }
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    'content-security-policy': POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  })
  res.end(method === 'HEAD' ? undefined : asset.body)
}
