import pino from 'pino'
import { activeTraceIds } from './telemetry/tracing.js'

export type Logger = pino.Logger

// A phone number: a + or a word boundary, then digits with the separators people write.
const PHONE = /(?:\+|\b)\d[\d ().-]{5,}\d\b/g
// Dotted quads are addresses, not phone numbers.
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/
const TEXT_KEYS = new Set(['body', 'Body', 'text', 'messageTemplate'])
// Identifiers are never phone numbers, and a UUID's digit groups can look like one.
const ID_KEY = /^(id|sid)$|Id$|Sid$/

/** A phone number as logs show it: only its last four digits. */
export const maskPhone = (number: string) => {
  const digits = number.replace(/\D/g, '')
  return `${number.startsWith('+') ? '+' : ''}${'*'.repeat(Math.max(digits.length - 4, 0))}${digits.slice(-4)}`
}

/** A value fit for a log line: phone numbers masked, message bodies left out. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PHONE, (m) => (IPV4.test(m) ? m : maskPhone(m)))
  // Errors are left to the err serializer, which masks them too.
  if (!value || typeof value !== 'object' || value instanceof Error || depth > 6) return value
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (typeof v === 'string' && TEXT_KEYS.has(k)) return [k, '[omitted]']
      return [k, ID_KEY.test(k) ? v : scrub(v, depth + 1)]
    }),
  )
}

/**
 * An error as logs show it: its kind, code, message and stack, numbers masked (pino's own form is
 * not a plain object). A message passed as `err` is kept as the message.
 */
function serializeError(err: unknown) {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) return scrub({ message: String(err) })
  const e = pino.stdSerializers.err(err as Error)
  const code = (err as { code?: unknown })?.code
  return scrub({ type: e.type, message: e.message, stack: e.stack, ...(code !== undefined ? { code } : {}) })
}

/** JSON lines: credential-bearing paths redacted, phone numbers masked, message bodies never written. */
export function createLogger(opts: { level: string; file?: string }): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: 'sms-actions' },
      // Lines written inside a traced request or job carry its trace.
      mixin: () => activeTraceIds() ?? {},
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      serializers: { err: serializeError },
      hooks: {
        // The message itself too: an error's text can quote the number it was about.
        logMethod(args, method) {
          const [first, ...rest] = args
          if (typeof first === 'string') return method.apply(this, [scrub(first) as string, ...rest])
          if (typeof rest[0] === 'string')
            return method.apply(this, [first, scrub(rest[0]) as string, ...rest.slice(1)] as Parameters<typeof method>)
          return method.apply(this, args)
        },
      },
      redact: {
        paths: [
          'authorization',
          'req.headers.authorization',
          'headers.authorization',
          'authToken',
          '*.authToken',
          '*.*.authToken',
          'password',
          '*.password',
          'key',
          '*.key',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'signingSecret',
          '*.signingSecret',
          'authTokenEnc',
          '*.authTokenEnc',
          'connectionParams',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: opts.file ?? 1, sync: opts.file !== undefined }),
  )
}
