/**
 * Query parameters of reads (docs/http-api.md §1.2). Unknown parameters are ignored, not 400 as in
 * the reference's `deny_unknown_fields`, so cache-busters such as `?cb=<time>` work.
 */
import type { ConsistencyCheck } from '../codec/decoder.ts';
import { InvalidConsistencyCheckError, InvalidQueryError } from '../errors/gateway-errors.ts';

export type ReadQuery = Record<string, string | string[] | undefined>;

export function optionalString(query: ReadQuery, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** A boolean flag: `true`/`false` as serde reads them; a bare `?flag` counts as true. */
export function flagFromQuery(query: ReadQuery, name: string): boolean {
  const value = optionalString(query, name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new InvalidQueryError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** `strict_consistency_check` / `skip_consistency_check`; both at once is 400, as the reference. */
export function consistencyCheckFromQuery(query: ReadQuery): ConsistencyCheck {
  const strict = flagFromQuery(query, 'strict_consistency_check');
  const skip = flagFromQuery(query, 'skip_consistency_check');
  if (strict && skip) throw new InvalidConsistencyCheckError();
  return strict ? 'strict' : skip ? 'skip' : 'default';
}
