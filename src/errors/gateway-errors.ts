/**
 * The gateway's domain errors: one class per failure with a stable `code` (the reference's
 * `reason`) and an AIP-193 status. Services raise them; `http/errors.ts` alone turns them into
 * responses, so nothing below `http/` knows about HTTP beyond the status names of the body format.
 */
import { DOMAIN_DAEMON, type ErrorStatus } from './error-body.ts';

/** Seconds a client should wait before retrying a 503 or 429. */
export const RETRY_AFTER_SECONDS = 1;

export interface GatewayErrorSpec {
  readonly reason: string;
  readonly status: ErrorStatus;
  /** Defaults to the HTTP code the status maps to. */
  readonly httpStatus?: number;
  /** Seconds for `Retry-After`. */
  readonly retryAfter?: number;
  readonly domain?: string;
}

/** A failure with a stable reason the HTTP layer can answer without parsing messages. */
export class GatewayError extends Error {
  readonly code: string;
  readonly status: ErrorStatus;
  /** Only where the reference answers another HTTP code than the status's own. */
  readonly httpStatus: number | undefined;
  readonly retryAfter: number | undefined;
  readonly domain: string;

  constructor(spec: GatewayErrorSpec, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = spec.reason;
    this.status = spec.status;
    this.httpStatus = spec.httpStatus;
    this.retryAfter = spec.retryAfter;
    this.domain = spec.domain ?? DOMAIN_DAEMON;
  }
}

export class InvalidBlobIdError extends GatewayError {
  constructor(text: string) {
    super({ reason: 'INVALID_ID_FORMAT', status: 'INVALID_ARGUMENT' }, `invalid blob ID ${JSON.stringify(text.slice(0, 64))}: expected 43 characters of unpadded base64url`);
  }
}

export class InvalidObjectIdError extends GatewayError {
  constructor(text: string) {
    super({ reason: 'INVALID_ID_FORMAT', status: 'INVALID_ARGUMENT' }, `invalid object ID ${JSON.stringify(text.slice(0, 80))}: expected up to 64 hex digits, with or without 0x`);
  }
}

/** An entry of a concatenation that is neither a blob ID nor an object ID (the reference's `ConcatBlobError::InvalidId`). */
export class InvalidIdError extends GatewayError {
  constructor(text: string) {
    super({ reason: 'INVALID_ID_FORMAT', status: 'INVALID_ARGUMENT' }, `invalid ID format: ${JSON.stringify(text.slice(0, 80))} is neither a blob ID (43 characters of unpadded base64url) nor an object ID (hex)`);
  }
}

/** An object ID of a concatenation that names no Blob or SharedBlob object (the reference's reason and status). */
export class ObjectIdResolutionFailedError extends GatewayError {
  constructor(objectId: string) {
    super({ reason: 'OBJECT_ID_RESOLUTION_FAILED', status: 'NOT_FOUND' }, `failed to resolve object ID ${objectId}: no Blob or SharedBlob object has this ID`);
  }
}

export class InvalidQuiltPatchIdError extends GatewayError {
  constructor(text: string, detail: string) {
    super({ reason: 'INVALID_ID_FORMAT', status: 'INVALID_ARGUMENT' }, `invalid quilt patch ID ${JSON.stringify(text.slice(0, 80))}: ${detail}`);
  }
}

export class InvalidQueryError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'INVALID_QUERY', status: 'INVALID_ARGUMENT' }, message);
  }
}

export class InvalidConsistencyCheckError extends GatewayError {
  constructor() {
    super({ reason: 'INVALID_CONSISTENCY_CHECK', status: 'INVALID_ARGUMENT' }, 'strict_consistency_check and skip_consistency_check cannot both be set');
  }
}

export class BlobNotFoundError extends GatewayError {
  constructor(message = 'the requested blob ID does not exist on Walrus, ensure that it was entered correctly') {
    super({ reason: 'BLOB_NOT_FOUND', status: 'NOT_FOUND' }, message);
  }
}

/**
 * The nodes agree the blob is registered but not certified (or expired, deleted, invalid): what
 * they may still hold is not guaranteed to stay. The reference reads it anyway; we do not vouch for
 * it. Same reason as not found, so clients that branch on 404 keep working.
 */
export class BlobNotCertifiedError extends BlobNotFoundError {
  constructor(state: string) {
    super(`the requested blob is ${state} on Walrus, not certified; its availability is not guaranteed`);
  }
}

/** The reference's reason and words (`GetBlobError::QuiltPatchNotFound`); `message` says which patch. */
export class QuiltPatchNotFoundError extends GatewayError {
  constructor(message = 'the requested quilt patch does not exist on Walrus') {
    super({ reason: 'QUILT_PATCH_NOT_FOUND', status: 'NOT_FOUND' }, message);
  }
}

/**
 * A quilt route asked of a blob whose leading columns hold no valid QuiltV1 index. The reference
 * answers 500 with its decoding error; this is the caller's mistake about an immutable blob, so it
 * gets a 404 a CDN may cache.
 */
export class NotAQuiltError extends GatewayError {
  constructor(blobId: string, detail: string) {
    super({ reason: 'NOT_A_QUILT', status: 'NOT_FOUND' }, `the blob ${blobId} is not a quilt: ${detail}`);
  }
}

/** Transient: too few nodes answered. The reference made this a 503 in v1.47 (PR #3284). */
export class BlobUnavailableError extends GatewayError {
  /**
   * `summary` is public; `detail` (which nodes failed how, with their addresses and request paths)
   * is for the operator's log only: it maps the network's internals for anyone who asks.
   */
  constructor(
    summary: string,
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super({ reason: 'BLOB_UNAVAILABLE', status: 'UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS }, `the blob is currently unavailable, try again later: ${summary}`, options);
  }
}

export class BlobTooLargeError extends GatewayError {
  constructor(size: number, max: number) {
    super({ reason: 'BLOB_TOO_LARGE', status: 'SIZE_EXCEEDED' }, `the blob is ${size} bytes, larger than this aggregator's maximum of ${max} bytes`);
  }
}

export class ForbiddenBlobError extends GatewayError {
  constructor() {
    super({ reason: 'FORBIDDEN_BLOB', status: 'UNAVAILABLE_FOR_LEGAL_REASONS' }, 'the requested blob is blocked');
  }
}

/** `Range` header: 416; the `/byte-range` route: 400 (as the reference). */
export class InvalidByteRangeError extends GatewayError {
  constructor(message: string, readonly blobSize: number | undefined, asQuery = false) {
    super(asQuery ? { reason: 'INVALID_BYTE_RANGE', status: 'INVALID_ARGUMENT' } : { reason: 'INVALID_BYTE_RANGE', status: 'RANGE_NOT_SATISFIABLE' }, message);
  }
}

/** The read could not be completed consistently (a byzantine writer): the reference's BLOB_READ_FAILED. */
export class BlobReadFailedError extends GatewayError {
  constructor(detail: string, options?: ErrorOptions) {
    super({ reason: 'BLOB_READ_FAILED', status: 'INTERNAL' }, `the blob could not be read: ${detail}`, options);
  }
}

/** Load shedding; the reference answers plain text, we answer the same JSON as every error. */
export class TooManyRequestsError extends GatewayError {
  constructor(service: 'aggregator' | 'publisher' | 'upload relay' = 'aggregator') {
    super({ reason: 'TOO_MANY_REQUESTS', status: 'RESOURCE_EXHAUSTED', retryAfter: RETRY_AFTER_SECONDS }, `the ${service} is receiving too many requests; please try again later`);
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'PAYLOAD_TOO_LARGE', status: 'SIZE_EXCEEDED', httpStatus: 413 }, message);
  }
}

/**
 * A large body could not be spooled to disk, or its file read back (a full or failing disk): the
 * operator's problem, not the client's; nothing was paid, a retry may find room.
 */
export class SpoolUnavailableError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super({ reason: 'SPOOL_UNAVAILABLE', status: 'UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS }, message, options);
  }
}

/**
 * The codec worker running this request's encode or decode died (out of memory, a crash), or the
 * gateway is shutting its workers down. A dead worker is replaced at once: a retry may succeed.
 */
export class CodecUnavailableError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super({ reason: 'CODEC_UNAVAILABLE', status: 'UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS }, message, options);
  }
}

/** 501; the body says NOT_FOUND, the nearest status the Rust SDK's parser knows (it has no UNIMPLEMENTED). */
export class NotImplementedError extends GatewayError {
  constructor(what: string) {
    super({ reason: 'NOT_IMPLEMENTED', status: 'NOT_FOUND', httpStatus: 501 }, `${what} is not implemented yet in walrus-gateway`);
  }
}

/** A known route asked with a method it does not serve: 405 with `Allow` (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends GatewayError {
  constructor(
    method: string,
    path: string,
    readonly allowed: readonly string[],
  ) {
    super({ reason: 'METHOD_NOT_ALLOWED', status: 'INVALID_ARGUMENT', httpStatus: 405 }, `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
  }
}

export class RouteNotFoundError extends GatewayError {
  constructor(method: string, url: string) {
    super({ reason: 'ROUTE_NOT_FOUND', status: 'NOT_FOUND' }, `no route ${method} ${url.split('?')[0]}`);
  }
}

/** A body of a type the route does not take (RFC 9110 §15.5.16). */
export class UnsupportedMediaTypeError extends GatewayError {
  constructor(type: string | undefined, expected: string) {
    super({ reason: 'UNSUPPORTED_MEDIA_TYPE', status: 'INVALID_ARGUMENT', httpStatus: 415 }, `the body must be ${expected}, got ${JSON.stringify(type ?? 'no Content-Type')}`);
  }
}

export class MalformedRequestError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super({ reason: 'MALFORMED_REQUEST', status: 'INVALID_ARGUMENT' }, message, options);
  }
}


/** The chain (or our RPC to it) cannot answer now. The reference answers 500; the outage is the chain's, not a bug of ours. */
export class ChainUnavailableGatewayError extends GatewayError {
  /** The chain's own error (an RPC endpoint's words) stays in the log, as the cause. */
  constructor(options?: ErrorOptions) {
    super({ reason: 'CHAIN_UNAVAILABLE', status: 'UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS }, 'the chain cannot be reached now, retry later', options);
  }
}

/** The client sent its request (or body) too slowly; the slot it held is given back. */
export class RequestTimeoutError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'REQUEST_TIMEOUT', status: 'DEADLINE_EXCEEDED', httpStatus: 408 }, message);
  }
}

/** The request's header block is larger than Node's limit (`--max-http-header-size`). */
export class HeadersTooLargeError extends GatewayError {
  constructor() {
    super({ reason: 'HEADERS_TOO_LARGE', status: 'INVALID_ARGUMENT', httpStatus: 431 }, 'the request headers are too large');
  }
}

/** The client went away; nobody reads the answer, but logs and metrics should say why it ended. */
export class ClientDisconnectedError extends GatewayError {
  constructor() {
    super({ reason: 'CLIENT_DISCONNECTED', status: 'UNAVAILABLE', httpStatus: 499 }, 'the client disconnected');
  }
}

/** A transfer coding other than `chunked` (RFC 9112 §6.1: 501); Node would hand us the still-coded body. */
export class UnsupportedTransferCodingError extends GatewayError {
  constructor(coding: string) {
    super(
      { reason: 'UNSUPPORTED_TRANSFER_CODING', status: 'INVALID_ARGUMENT', httpStatus: 501 },
      `the transfer coding ${JSON.stringify(coding.slice(0, 64))} is not supported; send the body as is or chunked`,
    );
  }
}
