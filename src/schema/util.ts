/** True for a unique-constraint violation (Prisma P2002), whatever the adapter. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  return err?.code === 'P2002' || /Unique constraint/i.test(err?.message ?? '')
}
