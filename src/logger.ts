import pino from 'pino'

export type Logger = pino.Logger

/** JSON lines, with every credential-bearing path redacted. */
export function createLogger(opts: { level: string; file?: string }): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: 'sms-actions' },
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
          'connectionParams',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: opts.file ?? 1, sync: opts.file !== undefined }),
  )
}
