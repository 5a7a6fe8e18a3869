/**
 * The publisher's failures in the gateway's error registry (docs/http-api.md §1.6, §2.5): each has the
 * reference's `reason` and status, so `errorResponse` answers them like every other error.
 */
import { GatewayError, RETRY_AFTER_SECONDS } from '../errors/gateway-errors.ts';

export const DOMAIN_AUTH = 'auth.publisher.walrus.space';
/** A write that missed quorum is worth retrying after the nodes had a moment. */
export const WRITE_RETRY_AFTER_SECONDS = 5;

export class InvalidBlobPersistenceError extends GatewayError {
  constructor() {
    super({ reason: 'INVALID_BLOB_PERSISTENCE', status: 'INVALID_ARGUMENT' }, 'the blob cannot be both deletable and permanent');
  }
}

/** Bad publisher query parameters (the reference rejects them in its extractor). */
export class InvalidPublisherQueryError extends GatewayError {
  constructor(message: string) {
    super({ reason: 'INVALID_QUERY', status: 'INVALID_ARGUMENT' }, message);
  }
}

/** The nodes did not confirm enough shards in time: nothing was certified; a retry reuses the registration. */
export class InsufficientConfirmationsError extends GatewayError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      { reason: 'INSUFFICIENT_CONFIRMATIONS', status: 'DEADLINE_EXCEEDED', retryAfter: WRITE_RETRY_AFTER_SECONDS },
      `could not collect enough storage confirmations; the blob was not certified, retry later: ${detail}`,
      options,
    );
  }
}

/** Too few nodes answer to even try a write: nothing was paid. */
export class NodesUnavailableError extends GatewayError {
  constructor(detail: string) {
    super(
      { reason: 'INSUFFICIENT_CONFIRMATIONS', status: 'UNAVAILABLE', retryAfter: WRITE_RETRY_AFTER_SECONDS },
      `too few storage nodes are reachable to store a blob; nothing was paid, retry later: ${detail}`,
    );
  }
}

/** The chain refused or could not take a transaction the store needs. */
export class ChainWriteFailedError extends GatewayError {
  constructor(detail: string, options?: ErrorOptions) {
    super({ reason: 'CHAIN_UNAVAILABLE', status: 'UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS }, `the chain did not accept the store transaction: ${detail}`, options);
  }
}

export type AuthReason =
  | 'INVALID_EXPIRATION'
  | 'INVALID_EPOCHS'
  | 'INVALID_SIZE'
  | 'INVALID_SEND_OBJECT_TO'
  | 'INCONSISTENT_TOKEN'
  | 'INVALID_TOKEN'
  | 'INVALID_TIMESTAMP'
  | 'EXPIRED_SIGNATURE'
  | 'INVALID_SIGNATURE'
  | 'TOKEN_ALREADY_USED'
  | 'MISSING_TOKEN';

const AUTH_STATUS = {
  INVALID_EXPIRATION: 'INVALID_ARGUMENT',
  INVALID_EPOCHS: 'INVALID_ARGUMENT',
  INVALID_SIZE: 'INVALID_ARGUMENT',
  INVALID_SEND_OBJECT_TO: 'INVALID_ARGUMENT',
  INCONSISTENT_TOKEN: 'INVALID_ARGUMENT',
  INVALID_TOKEN: 'INVALID_ARGUMENT',
  INVALID_TIMESTAMP: 'INVALID_ARGUMENT',
  // The reference answers 504 DEADLINE_EXCEEDED; an expired credential is a 401 (issue #5).
  EXPIRED_SIGNATURE: 'UNAUTHENTICATED',
  INVALID_SIGNATURE: 'UNAUTHENTICATED',
  TOKEN_ALREADY_USED: 'RESOURCE_EXHAUSTED',
  // The reference's axum extractor answers a plain-text 400 here; we answer the JSON body.
  MISSING_TOKEN: 'INVALID_ARGUMENT',
} as const;

export class AuthError extends GatewayError {
  /** `retryAfter`: seconds for `Retry-After`, where waiting changes the answer. */
  constructor(reason: AuthReason, message: string, retryAfter?: number) {
    super({ reason, status: AUTH_STATUS[reason], domain: DOMAIN_AUTH, retryAfter }, message);
  }
}
