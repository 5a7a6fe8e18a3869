/**
 * The ONE place that turns any thrown value into an HTTP status, headers and the reference's
 * AIP-193 JSON error body (docs/protocol.md §4.3, docs/http-api.md §1.7). Domain errors carry a
 * stable code; chain failures are the chain's, not ours (503, retry later); Fastify's own request
 * errors are the client's; anything else is a bug: 500 with a trace ID the operator finds in the log.
 */
import { randomBytes } from 'node:crypto';
import { ChainError, type ChainErrorCode } from '../chain/chain-errors.ts';
import { DOMAIN_GLOBAL, ERROR_STATUS_CODES, errorBody, type ErrorBody } from '../errors/error-body.ts';
import {
  ChainUnavailableGatewayError,
  GatewayError,
  InvalidByteRangeError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RequestTimeoutError,
} from '../errors/gateway-errors.ts';

const TRACE_ID_BYTES = 8;
/** The reference's wording for internal errors (`crates/walrus-service/src/node/errors.rs`). */
const INTERNAL_MESSAGE = 'an internal error has occurred, please report it';
const HTTP_PAYLOAD_TOO_LARGE = 413;
const HTTP_REQUEST_TIMEOUT = 408;

/**
 * Chain failures that say the chain (or our RPC to it) cannot answer now. The others reaching
 * this far mean we built a transaction the contracts refuse: a bug, and a 500 says so.
 */
const TRANSIENT_CHAIN_CODES: ReadonlySet<ChainErrorCode> = new Set(['CHAIN_UNAVAILABLE', 'INVALID_CHAIN_RESPONSE', 'TRANSACTION_EXPIRED']);

export interface ErrorResponse {
  readonly statusCode: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;
  /** Set for unexpected errors: the ID logged alongside the error, for the operator. */
  readonly traceId?: string;
}

/** Errors raised outside our own code that still have a meaning for the client. */
function translate(error: unknown): GatewayError | undefined {
  if (error instanceof GatewayError) return error;
  if (error instanceof ChainError && TRANSIENT_CHAIN_CODES.has(error.code)) return new ChainUnavailableGatewayError({ cause: error });
  // Fastify's own errors (body limits, bad JSON, client timeouts) carry a statusCode and an FST_ code.
  if (!(error instanceof Error) || !('statusCode' in error) || typeof error.statusCode !== 'number') return undefined;
  const statusCode = error.statusCode;
  if (statusCode === HTTP_PAYLOAD_TOO_LARGE) return new PayloadTooLargeError(error.message);
  if (statusCode === HTTP_REQUEST_TIMEOUT) return new RequestTimeoutError(error.message);
  if (statusCode >= 400 && statusCode < 500) return new MalformedRequestError(error.message);
  return undefined;
}

/** Maps any error to the reference's JSON error body; unknown errors become 500 INTERNAL_ERROR. */
export function errorResponse(error: unknown): ErrorResponse {
  const known = translate(error);
  if (known) {
    const statusCode = known.httpStatus ?? ERROR_STATUS_CODES[known.status];
    const headers: Record<string, string> = {};
    if (known.retryAfter !== undefined) headers['retry-after'] = String(known.retryAfter);
    if (known instanceof MethodNotAllowedError) headers.allow = known.allowed.join(', ');
    if (known instanceof InvalidByteRangeError && statusCode === 416 && known.blobSize !== undefined) {
      headers['content-range'] = `bytes */${known.blobSize}`;
    }
    return { statusCode, body: errorBody(known.status, known.message, { reason: known.code, domain: known.domain }), headers };
  }
  const traceId = randomBytes(TRACE_ID_BYTES).toString('hex');
  return {
    statusCode: 500,
    body: errorBody('INTERNAL', INTERNAL_MESSAGE, { reason: 'INTERNAL_ERROR', domain: DOMAIN_GLOBAL, metadata: { traceId } }),
    headers: {},
    traceId,
  };
}
