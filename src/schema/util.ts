/**
 * Pothos hands mutations an empty `select` when the client asks only for `__typename` of a result
 * union; Prisma rejects an empty select, so ask for the id in that case.
 */
export function nonEmpty<Q extends object>(query: Q): Q {
  const select = (query as { select?: object }).select
  return select && Object.keys(select).length === 0 ? { ...query, select: { id: true } } : query
}
