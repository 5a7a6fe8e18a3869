import { DOMAIN_GLOBAL, DOMAIN_STORAGE_NODE, ERROR_STATUS_CODES, type ErrorStatus } from '../../errors/error-body.ts';

/**
 * Every error a local storage node answers with, one class per cause, each with a stable `code`.
 * The `reason`, AIP-193 `status` and domain are the reference node's
 * (`W:crates/walrus-service/src/node/errors.rs`, `node/server/extract.rs`); `error-response.ts`
 * turns any of them into the HTTP answer.
 */
export interface NodeErrorSpec {
  /** Stable identifier of the cause; equal to `reason` except where one reason has two statuses. */
  readonly code: string;
  readonly reason: string;
  readonly status: ErrorStatus;
  /** Defaults to `storage.walrus.space`. */
  readonly domain?: string;
  /** Defaults to the HTTP status AIP-193 maps `status` to. */
  readonly httpStatus?: number;
}

export class StorageNodeError extends Error {
  readonly code: string;
  readonly reason: string;
  readonly status: ErrorStatus;
  readonly domain: string;
  readonly httpStatus: number;

  constructor(spec: NodeErrorSpec, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = spec.code;
    this.reason = spec.reason;
    this.status = spec.status;
    this.domain = spec.domain ?? DOMAIN_STORAGE_NODE;
    this.httpStatus = spec.httpStatus ?? ERROR_STATUS_CODES[spec.status];
  }
}

/** A `StorageNodeError` subclass for one cause; `message` builds its text from the constructor's arguments. */
function defineNodeError<Args extends unknown[]>(name: string, spec: NodeErrorSpec, message: (...args: Args) => string) {
  const defined = class extends StorageNodeError {
    static readonly spec = spec;
    constructor(...args: Args) {
      super(spec, message(...args));
    }
  };
  Object.defineProperty(defined, 'name', { value: name });
  return defined;
}

const HTTP_BAD_REQUEST = 400;
const HTTP_NOT_FOUND = 404;
const HTTP_PAYLOAD_TOO_LARGE = 413;
const HTTP_NOT_IMPLEMENTED = 501;

/** The blob has no live registration on the ledger (never registered, deleted or expired). */
export const NotRegisteredError = defineNodeError(
  'NotRegisteredError',
  { code: 'NOT_REGISTERED', reason: 'NOT_REGISTERED', status: 'FAILED_PRECONDITION' },
  () => 'the blob has not been registered or has already expired',
);

/** GET metadata for a blob the node does not hold (or no longer serves). */
export const MetadataNotFoundError = defineNodeError(
  'MetadataNotFoundError',
  { code: 'METADATA_NOT_FOUND', reason: 'METADATA_NOT_FOUND', status: 'NOT_FOUND' },
  () => 'the requested metadata is unavailable',
);

/** A sliver was sent before the blob's metadata: the reference answers 400 with the same reason. */
export const MetadataRequiredError = defineNodeError(
  'MetadataRequiredError',
  { code: 'METADATA_REQUIRED', reason: 'METADATA_NOT_FOUND', status: 'FAILED_PRECONDITION' },
  () => 'blob metadata is required but missing',
);

export const SliverNotFoundError = defineNodeError(
  'SliverNotFoundError',
  { code: 'SLIVER_NOT_FOUND', reason: 'SLIVER_NOT_FOUND', status: 'NOT_FOUND' },
  () => 'the requested sliver is unavailable',
);

/** The pair maps (by the blob's rotation) to a shard this node does not own in the current epoch. */
export const ShardNotAssignedError = defineNodeError(
  'ShardNotAssignedError',
  { code: 'SHARD_NOT_ASSIGNED', reason: 'SHARD_NOT_ASSIGNED', status: 'FAILED_PRECONDITION' },
  (shard: number, epoch: number) => `shard ${shard} is not assigned to this node in epoch ${epoch}`,
);

export const IndexOutOfRangeError = defineNodeError(
  'IndexOutOfRangeError',
  { code: 'INDEX_OUT_OF_RANGE', reason: 'INDEX_OUT_OF_RANGE', status: 'INVALID_ARGUMENT' },
  (index: number, max: number) => `the requested sliver index is out of range: requires 0 <= index (${index}) < ${max}`,
);

export const InvalidMetadataError = defineNodeError(
  'InvalidMetadataError',
  { code: 'INVALID_METADATA', reason: 'INVALID_METADATA', status: 'INVALID_ARGUMENT' },
  (detail: string) => `the provided metadata failed to verify: ${detail}`,
);

/** The ledger reports the blob ID as invalidated. */
export const InvalidBlobError = defineNodeError(
  'InvalidBlobError',
  { code: 'INVALID_BLOB', reason: 'INVALID_BLOB', status: 'FAILED_PRECONDITION' },
  () => 'the blob for this metadata is invalid',
);

export const InvalidSliverError = defineNodeError(
  'InvalidSliverError',
  { code: 'INVALID_SLIVER', reason: 'INVALID_SLIVER', status: 'INVALID_ARGUMENT' },
  (detail: string) => `the provided sliver is invalid: ${detail}`,
);

/** The SliverData `index` is not the sliver index the path's pair index and type imply. */
export const SliverIndexMismatchError = defineNodeError(
  'SliverIndexMismatchError',
  { code: 'SLIVER_INDEX_MISMATCH', reason: 'SLIVER_INDEX_MISMATCH', status: 'INVALID_ARGUMENT' },
  (sliverIndex: number, pairIndex: number) => `sliver index ${sliverIndex} is inconsistent with sliver pair index ${pairIndex}`,
);

/** A confirmation was asked for before every owned shard holds its slivers. */
export const MissingSliversError = defineNodeError(
  'MissingSliversError',
  { code: 'MISSING_SLIVERS', reason: 'MISSING_SLIVERS', status: 'FAILED_PRECONDITION' },
  () => 'the required slivers are not all stored',
);

/**
 * `?pending=true` for a blob the ledger does not know yet. Local nodes keep no pending-upload
 * buffer, i.e. they behave as a reference node whose buffer is always full.
 */
export const CacheSaturatedError = defineNodeError(
  'CacheSaturatedError',
  { code: 'CACHE_SATURATED', reason: 'CACHE_SATURATED', status: 'FAILED_PRECONDITION' },
  () => 'pending upload cache is saturated; retry once the node catches up',
);

/** A BCS body with another content type, an unreadable body, or bytes that are not the BCS type. */
export const InvalidContentTypeError = defineNodeError(
  'InvalidContentTypeError',
  { code: 'INVALID_CONTENT_TYPE', reason: 'INVALID_CONTENT_TYPE', status: 'INVALID_ARGUMENT' },
  (detail: string) => detail,
);

/**
 * A route of the reference API that local nodes do not serve (yet). The Walrus status table has
 * no 501, so the body says INTERNAL while the HTTP status is 501; see README.md.
 */
export const NotImplementedError = defineNodeError(
  'NotImplementedError',
  { code: 'NOT_IMPLEMENTED', reason: 'NOT_IMPLEMENTED', status: 'INTERNAL', httpStatus: HTTP_NOT_IMPLEMENTED },
  (what: string) => `${what} is not implemented by local storage nodes`,
);

/** Anything unexpected; the message is generic so internals do not leak, as the reference does. */
export class InternalNodeError extends StorageNodeError {
  constructor(options?: ErrorOptions) {
    super(
      { code: 'INTERNAL_ERROR', reason: 'INTERNAL_ERROR', status: 'INTERNAL', domain: DOMAIN_GLOBAL },
      'an internal error has occurred, please report it',
      options,
    );
  }
}

/**
 * Rejections that axum produces before a handler runs (path, query, body limit, unknown route).
 * The reference answers them in plain text, not JSON, and so do we.
 */
export class PlainTextRejection extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A path segment that does not parse (blob ID, pair index, sliver type, object ID). */
export class InvalidPathError extends PlainTextRejection {
  constructor(detail: string) {
    super('INVALID_PATH', HTTP_BAD_REQUEST, `Invalid URL: ${detail}`);
  }
}

export class InvalidQueryError extends PlainTextRejection {
  constructor(detail: string) {
    super('INVALID_QUERY', HTTP_BAD_REQUEST, `Failed to deserialize query string: ${detail}`);
  }
}

/** axum's `DefaultBodyLimit` rejection on the sliver route: 413 with this exact text. */
export class PayloadTooLargeError extends PlainTextRejection {
  constructor() {
    super('PAYLOAD_TOO_LARGE', HTTP_PAYLOAD_TOO_LARGE, 'Failed to buffer the request body: length limit exceeded');
  }
}

/** No such route: axum answers 404 with an empty body. */
export class RouteNotFoundError extends PlainTextRejection {
  constructor() {
    super('ROUTE_NOT_FOUND', HTTP_NOT_FOUND, '');
  }
}
