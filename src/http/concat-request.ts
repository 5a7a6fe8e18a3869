/**
 * What `/v1alpha/blobs/concat` is asked for (docs/http-api.md §1.5; the reference's
 * `ConcatQueryParams` and `ConcatRequestBody` in `crates/walrus-service/src/client/daemon/routes.rs`):
 * the ID strings in order — `?ids=a,b,c` (entries trimmed, empty ones dropped) or a JSON body
 * `{"ids": [...]}` — and the consistency check, from the query or the body's two flags.
 */
import { parseBlobId } from '../codec/blob-id.ts';
import { InvalidBlobIdError as CodecInvalidBlobIdError } from '../codec/errors.ts';
import type { ConsistencyCheck } from '../codec/decoder.ts';
import { InvalidConsistencyCheckError, InvalidIdError, InvalidQueryError, MalformedRequestError } from '../errors/gateway-errors.ts';
import { consistencyCheckFromQuery, optionalString, type ReadQuery } from './read-query.ts';
import { isObjectId } from './read-response.ts';

/**
 * IDs one request may name. The reference sets none; every ID costs a metadata read (and an
 * object ID a chain read) before the first byte, so a request must not be able to ask for
 * thousands. A file past the largest blob (~13.6 GiB) sliced at 1 GiB fits a thousand times over.
 */
export const MAX_CONCAT_IDS = 1000;
/** A JSON body of that many object IDs (66 characters each, quoted, comma-separated) fits well within this. */
export const MAX_CONCAT_BODY_BYTES = 128 * 1024;

export interface ConcatRequest {
  /** As given: the ETag is computed from these strings. */
  readonly ids: readonly string[];
  readonly check: ConsistencyCheck;
}

/** One entry: a blob ID (tried first, as the reference) or an object ID. */
export type ConcatId = { readonly kind: 'blob'; readonly blobId: Uint8Array; readonly text: string } | { readonly kind: 'object'; readonly objectId: string };

const NO_IDS = 'at least one blob ID or object ID must be provided';
const BODY_FIELDS = new Set(['ids', 'strict_consistency_check', 'skip_consistency_check']);

export function concatFromQuery(query: ReadQuery): ConcatRequest {
  const text = optionalString(query, 'ids');
  if (text === undefined) throw new InvalidQueryError(`ids is required: ${NO_IDS}, comma-separated`);
  const ids = text
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (ids.length === 0) throw new InvalidQueryError(NO_IDS);
  if (ids.length > MAX_CONCAT_IDS) throw new InvalidQueryError(`at most ${MAX_CONCAT_IDS} IDs may be concatenated, got ${ids.length}`);
  return { ids, check: consistencyCheckFromQuery(query) };
}

/** The reference's body, with `deny_unknown_fields`; the entries are taken as they are, not trimmed. */
export function concatFromBody(body: unknown): ConcatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MalformedRequestError('the body must be a JSON object such as {"ids": ["<blob or object ID>", …]}');
  const fields = new Map(Object.entries(body));
  for (const name of fields.keys()) {
    if (!BODY_FIELDS.has(name)) throw new MalformedRequestError(`unknown field ${JSON.stringify(name.slice(0, 64))}; expected ids, strict_consistency_check, skip_consistency_check`);
  }
  const ids = fields.get('ids');
  if (!isStringArray(ids)) throw new MalformedRequestError('ids must be an array of strings');
  if (ids.length === 0) throw new MalformedRequestError(NO_IDS);
  if (ids.length > MAX_CONCAT_IDS) throw new MalformedRequestError(`at most ${MAX_CONCAT_IDS} IDs may be concatenated, got ${ids.length}`);
  const strict = flag(fields.get('strict_consistency_check'), 'strict_consistency_check');
  const skip = flag(fields.get('skip_consistency_check'), 'skip_consistency_check');
  if (strict && skip) throw new InvalidConsistencyCheckError();
  return { ids, check: strict ? 'strict' : skip ? 'skip' : 'default' };
}

export function parseConcatId(text: string): ConcatId {
  try {
    return { kind: 'blob', blobId: parseBlobId(text), text };
  } catch (error) {
    if (!(error instanceof CodecInvalidBlobIdError)) throw error;
  }
  if (isObjectId(text)) return { kind: 'object', objectId: text };
  throw new InvalidIdError(text);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** `Option<bool>` as serde reads it: absent or null is false. */
function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  throw new MalformedRequestError(`${name} must be true or false`);
}
