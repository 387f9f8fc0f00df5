import pino from 'pino'
import { config } from './config.js'

/** The process logger: JSON lines, with every credential-bearing path redacted. */
export const logger = pino(
  {
    level: config.logLevel,
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
  pino.destination({ dest: config.logFile ?? 1, sync: config.logFile !== undefined }),
)
