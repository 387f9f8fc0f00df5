// Preloaded into the service by benchmarks started with --expose-gc: SIGUSR2 forces a collection
// before a heap reading. Kept out of the service's own code.
if (typeof globalThis.gc === 'function') process.on('SIGUSR2', () => globalThis.gc?.())
