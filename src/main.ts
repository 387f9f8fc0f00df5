try {
  const { buildApp } = await import('./app.js')
  const { logger } = await import('./logger.js')
  const { firstRunHint } = await import('./operator.js')
  const app = buildApp()
  await app.start()
  await firstRunHint()
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    await app.stop()
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
} catch (e) {
  if ((e as Error).name === 'ConfigError') {
    console.error((e as Error).message)
    process.exit(1)
  }
  throw e
}
