/**
 * The upload relay's failures in the gateway's error registry, one class per family with the
 * reference's variant as its `reason` (`crates/walrus-upload-relay/src/error.rs`,
 * `src/tip/error.rs`) and the reference's HTTP status: 400 for bad requests and unusable tip
 * transactions, 401 when the tip transaction does not authenticate this upload, 402 when the tip
 * was not paid. `http/errors.ts` turns them into the JSON error body like every other error.
 */
import { GatewayError } from '../errors/gateway-errors.ts';

export const DOMAIN_UPLOAD_RELAY = 'upload-relay.walrus.space';
/** The reference answers a missing or short tip with 402; the body keeps a status the Rust SDK parses. */
const HTTP_PAYMENT_REQUIRED = 402;
/** Nodes that did not answer may answer a little later. */
const NODES_RETRY_AFTER_SECONDS = 5;

/** Unknown, repeated or malformed query parameters (the reference's `deny_unknown_fields` extractor). */
export class InvalidRelayQueryError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'INVALID_QUERY', status: 'INVALID_ARGUMENT', domain: DOMAIN_UPLOAD_RELAY }, message);
  }
}

/** The relay charges a tip and the request names no tip transaction or nonce. */
export class MissingTxIdOrNonceError extends GatewayError {
  constructor() {
    super(
      { reason: 'MISSING_TX_ID_OR_NONCE', status: 'INVALID_ARGUMENT', domain: DOMAIN_UPLOAD_RELAY },
      'this upload relay requires a tip: the query must carry tx_id (the tip transaction) and nonce (the preimage of its auth payload digest)',
    );
  }
}

/** What the body encodes to is not the blob the query names: nothing was sent to the nodes. */
export class BlobIdMismatchError extends GatewayError {
  constructor(detail: string) {
    super({ reason: 'BLOB_ID_MISMATCH', status: 'INVALID_ARGUMENT', domain: DOMAIN_UPLOAD_RELAY }, `the provided blob ID and the blob ID of the uploaded data do not match: ${detail}`);
  }
}

/**
 * The blob is not registered (or no longer, or not in the way the query says): the nodes would
 * refuse its slivers. The reference declares `BlobIdNotRegistered` as a 401 but never raises it,
 * and answers 500 once the nodes refused; nothing here is an authentication failure or a bug. It
 * is the nodes' own refusal — 400 FAILED_PRECONDITION `NOT_REGISTERED` — which the TypeScript SDK
 * turns into its `BlobNotRegisteredError`.
 */
export class BlobIdNotRegisteredError extends GatewayError {
  constructor(detail: string) {
    super({ reason: 'NOT_REGISTERED', status: 'FAILED_PRECONDITION', domain: DOMAIN_UPLOAD_RELAY }, `the blob is not registered for this upload: ${detail}`);
  }
}

/** The blob is larger than the network's encoding can take (the reference's `DataTooLargeError`, 400). */
export class DataTooLargeError extends GatewayError {
  constructor(size: number, max: number) {
    super({ reason: 'DATA_TOO_LARGE', status: 'INVALID_ARGUMENT', domain: DOMAIN_UPLOAD_RELAY }, `the blob of ${size} bytes is larger than the ${max} bytes this network's encoding can take`);
  }
}

/** `deletable_blob_object` names an object that is not a deletable registration of this blob. */
export class BlobObjectMismatchError extends GatewayError {
  constructor(detail: string) {
    super({ reason: 'BLOB_OBJECT_MISMATCH', status: 'INVALID_ARGUMENT', domain: DOMAIN_UPLOAD_RELAY }, detail);
  }
}

/** The reference's `TipError` variants that are the request's fault (400). */
export type TipTransactionReason = 'UNEXPECTED_RESPONSE' | 'TX_TOO_OLD' | 'TIP_TRANSACTION_NOT_FOUND';

/**
 * The tip transaction cannot be used: unknown to the chain (the reference answers 500 for a failed
 * lookup; a digest nobody executed is the client's mistake), not executed, too old, or in the future.
 */
export class TipTransactionError extends GatewayError {
  constructor(reason: TipTransactionReason, message: string) {
    super({ reason, status: 'INVALID_ARGUMENT', domain: DOMAIN_UPLOAD_RELAY }, message);
  }
}

/** No tip, or too little, reached the relay's address: 402 as the reference. */
export class TipNotPaidError extends GatewayError {
  constructor(reason: 'NO_TIP_SENT' | 'INSUFFICIENT_TIP', message: string) {
    super({ reason, status: 'FAILED_PRECONDITION', httpStatus: HTTP_PAYMENT_REQUIRED, domain: DOMAIN_UPLOAD_RELAY }, message);
  }
}

export type TipAuthenticationReason =
  | 'INVALID_TIP_TRANSACTION'
  | 'MISSING_AUTH_PACKAGE'
  | 'INVALID_AUTH_PACKAGE'
  | 'INVALID_NONCE_HASH'
  | 'BLOB_LENGTH_MISMATCH'
  | 'BLOB_DIGEST_MISMATCH';

/** The tip transaction does not authenticate this upload (its auth payload, nonce or body): 401 as the reference. */
export class TipAuthenticationError extends GatewayError {
  constructor(reason: TipAuthenticationReason, message: string) {
    super({ reason, status: 'UNAUTHENTICATED', domain: DOMAIN_UPLOAD_RELAY }, message);
  }
}

/** Too few storage nodes answered the registration check to try the upload: nothing was sent. */
export class RelayNodesUnavailableError extends GatewayError {
  constructor(detail: string) {
    super(
      { reason: 'INSUFFICIENT_CONFIRMATIONS', status: 'UNAVAILABLE', retryAfter: NODES_RETRY_AFTER_SECONDS, domain: DOMAIN_UPLOAD_RELAY },
      `too few storage nodes are reachable to relay a blob; no sliver was sent, retry later: ${detail}`,
    );
  }
}
