import type { SmsProvider } from './generated/prisma/enums.js'

export const PROVIDERS: readonly SmsProvider[] = ['TWILIO', 'ATLAS']

/** Reads the stored comma-separated provider list (SQLite has no scalar lists). */
export function parseProviders(stored: string): SmsProvider[] {
  return PROVIDERS.filter((p) => stored.split(',').includes(p))
}

/** The stored form of a provider list, in a stable order, without duplicates. */
export function formatProviders(list: readonly SmsProvider[]): string {
  return PROVIDERS.filter((p) => list.includes(p)).join(',')
}
