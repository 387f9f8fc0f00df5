import { generateApiKey } from './auth.js'
import { db, isUniqueViolation } from './db.js'
import { AlreadyExistsError } from './errors.js'
import type { SmsProvider } from './generated/prisma/enums.js'
import { formatProviders } from './providers.js'

/** Creates a user with its first OWNER key; returns the key string (shown once). */
export async function createUserWithOwnerKey(input: {
  email: string
  name?: string | null
  enabledProviders?: readonly SmsProvider[] | null
}): Promise<{ userId: string; apiKeyId: string; key: string }> {
  const { key, prefix, hash } = generateApiKey()
  try {
    const user = await db.user.create({
      data: {
        email: input.email.toLowerCase(),
        name: input.name ?? null,
        enabledProviders: formatProviders(input.enabledProviders ?? ['ATLAS']),
        apiKeys: { create: { name: 'owner', role: 'OWNER', prefix, hash } },
      },
      select: { id: true, apiKeys: { select: { id: true } } },
    })
    return { userId: user.id, apiKeyId: user.apiKeys[0]?.id as string, key }
  } catch (e) {
    if (isUniqueViolation(e)) throw new AlreadyExistsError(`A user with email ${input.email} already exists`)
    throw e
  }
}
