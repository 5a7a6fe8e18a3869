/**
 * The gateway's error registry: one class per failure with a stable `code` (the reference's
 * `reason`), an AIP-193 status and an HTTP status; {@link errorResponse} is the ONE place that turns
 * any thrown value into the reference's JSON error body (walrus-protocol.md §4.3, gateway-api.md §1.7).
 */
import { randomBytes } from 'node:crypto';
import { DOMAIN_DAEMON, DOMAIN_GLOBAL, ERROR_STATUS_CODES, errorBody, type ErrorBody, type ErrorStatus } from './error-body.ts';

/** Seconds a client should wait before retrying a 503 or 429. */
export const RETRY_AFTER_SECONDS = 1;
const TRACE_ID_BYTES = 8;
/** The reference's wording for internal errors (`crates/walrus-service/src/node/errors.rs`). */
const INTERNAL_MESSAGE = 'an internal error has occurred, please report it';

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
  readonly httpStatus: number;
  readonly retryAfter: number | undefined;
  readonly domain: string;

  constructor(spec: GatewayErrorSpec, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = spec.reason;
    this.status = spec.status;
    this.httpStatus = spec.httpStatus ?? ERROR_STATUS_CODES[spec.status];
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
    super({ reason: 'INVALID_ID_FORMAT', status: 'INVALID_ARGUMENT' }, `invalid object ID ${JSON.stringify(text.slice(0, 80))}: expected 0x and up to 64 hex digits`);
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
  constructor() {
    super({ reason: 'BLOB_NOT_FOUND', status: 'NOT_FOUND' }, 'the requested blob ID does not exist on Walrus, ensure that it was entered correctly');
  }
}

/** Transient: too few nodes answered. The reference made this a 503 in v1.47 (PR #3284). */
export class BlobUnavailableError extends GatewayError {
  constructor(detail: string, options?: ErrorOptions) {
    super({ reason: 'BLOB_UNAVAILABLE', status: 'UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS }, `the blob is currently unavailable, try again later: ${detail}`, options);
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
  constructor(service: 'aggregator' | 'publisher' = 'aggregator') {
    super({ reason: 'TOO_MANY_REQUESTS', status: 'RESOURCE_EXHAUSTED', retryAfter: RETRY_AFTER_SECONDS }, `the ${service} is receiving too many requests; please try again later`);
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'PAYLOAD_TOO_LARGE', status: 'SIZE_EXCEEDED', httpStatus: 413 }, message);
  }
}

export class NotImplementedError extends GatewayError {
  constructor(what: string) {
    super({ reason: 'NOT_IMPLEMENTED', status: 'UNIMPLEMENTED' }, `${what} is not implemented yet in walrus-gateway`);
  }
}

export class RouteNotFoundError extends GatewayError {
  constructor(method: string, url: string) {
    super({ reason: 'ROUTE_NOT_FOUND', status: 'NOT_FOUND' }, `no route ${method} ${url.split('?')[0]}`);
  }
}

export class MalformedRequestError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'MALFORMED_REQUEST', status: 'INVALID_ARGUMENT' }, message);
  }
}

export interface ErrorResponse {
  readonly statusCode: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;
  /** Set for unexpected errors: the ID logged alongside the error, for the operator. */
  readonly traceId?: string;
}

/** Fastify's own errors (body limits, bad JSON) carry a statusCode and an FST_ code. */
function fastifyError(error: unknown): GatewayError | undefined {
  if (!(error instanceof Error) || !('statusCode' in error) || typeof error.statusCode !== 'number') return undefined;
  const statusCode = error.statusCode;
  if (statusCode === 413) return new PayloadTooLargeError(error.message);
  if (statusCode >= 400 && statusCode < 500) return new MalformedRequestError(error.message);
  return undefined;
}

/** Maps any error to the reference's JSON error body; unknown errors become 500 INTERNAL_ERROR. */
export function errorResponse(error: unknown): ErrorResponse {
  const known = error instanceof GatewayError ? error : fastifyError(error);
  if (known) {
    const headers: Record<string, string> = {};
    if (known.retryAfter !== undefined) headers['retry-after'] = String(known.retryAfter);
    if (known instanceof InvalidByteRangeError && known.httpStatus === 416 && known.blobSize !== undefined) {
      headers['content-range'] = `bytes */${known.blobSize}`;
    }
    return {
      statusCode: known.httpStatus,
      body: errorBody(known.status, known.message, { reason: known.code, domain: known.domain }, known.httpStatus),
      headers,
    };
  }
  const traceId = randomBytes(TRACE_ID_BYTES).toString('hex');
  return {
    statusCode: 500,
    body: errorBody('INTERNAL', INTERNAL_MESSAGE, { reason: 'INTERNAL_ERROR', domain: DOMAIN_GLOBAL, metadata: { traceId } }),
    headers: {},
    traceId,
  };
}
