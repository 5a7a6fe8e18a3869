import { type ErrorBody, type ErrorStatus, ERROR_STATUS_CODES, errorBody } from '../../errors/error-body.ts';

/** The AIP-193 `ErrorInfo.domain` of every error the ledger answers with. */
export const DOMAIN_LEDGER = 'ledger.walrus.local';

/**
 * Every refusal the ledger can answer with: its `reason`, its AIP-193 status and what it means.
 * The transaction reasons mirror the Walrus Move aborts named in docs/protocol.md §5.
 */
export const LEDGER_ERRORS = {
  INSUFFICIENT_BALANCE: { status: 'FAILED_PRECONDITION', meaning: 'the sender holds less WAL than the call costs' },
  INVALID_EPOCHS_AHEAD: { status: 'INVALID_ARGUMENT', meaning: 'epochs is 0 or the end epoch is more than maxEpochsAhead past the current one' },
  BLOB_ID_MISMATCH: { status: 'INVALID_ARGUMENT', meaning: 'the blob ID is not derived from the root hash, encoding type and size' },
  STORAGE_TOO_SMALL: { status: 'INVALID_ARGUMENT', meaning: 'the reserved storage is smaller than the encoded length of the blob' },
  UNSUPPORTED_ENCODING_TYPE: { status: 'INVALID_ARGUMENT', meaning: 'the encoding type is not RS2 (1)' },
  INVALID_SIGNERS_BITMAP: { status: 'INVALID_ARGUMENT', meaning: 'the signers bitmap is longer than the committee or names members past it' },
  CERTIFICATE_BELOW_QUORUM: { status: 'FAILED_PRECONDITION', meaning: 'the signers hold fewer shards than a quorum (3w < 2n+1)' },
  INVALID_CERTIFICATE_SIGNATURE: { status: 'INVALID_ARGUMENT', meaning: "the aggregate signature does not verify against the signers' keys" },
  CERTIFICATE_EPOCH_MISMATCH: { status: 'FAILED_PRECONDITION', meaning: 'the certified message is for another epoch than the current one' },
  CERTIFICATE_MISMATCH: { status: 'INVALID_ARGUMENT', meaning: 'the certified message is not a certification of this blob object' },
  BLOB_ALREADY_CERTIFIED: { status: 'FAILED_PRECONDITION', meaning: 'the blob object is already certified' },
  BLOB_NOT_CERTIFIED: { status: 'FAILED_PRECONDITION', meaning: 'only certified blobs can be extended' },
  BLOB_EXPIRED: { status: 'FAILED_PRECONDITION', meaning: "the blob's storage has ended" },
  BLOB_NOT_DELETABLE: { status: 'FAILED_PRECONDITION', meaning: 'the blob is permanent' },
  OBJECT_NOT_FOUND: { status: 'NOT_FOUND', meaning: 'no live object has this ID' },
  TRANSACTION_NOT_FOUND: { status: 'NOT_FOUND', meaning: 'no executed transaction has this digest' },
  NOT_OBJECT_OWNER: { status: 'PERMISSION_DENIED', meaning: 'the sender does not own the object' },
  INVALID_TRANSACTION: { status: 'INVALID_ARGUMENT', meaning: 'the transaction is malformed' },
  INVALID_TRANSACTION_SIGNATURE: { status: 'UNAUTHENTICATED', meaning: "the signature is not the sender's over the transaction bytes" },
  TRANSACTION_EXPIRED: { status: 'FAILED_PRECONDITION', meaning: 'the transaction is past its expiry or expires too far ahead' },
  INVALID_REQUEST: { status: 'INVALID_ARGUMENT', meaning: 'the HTTP request is malformed' },
  ROUTE_NOT_FOUND: { status: 'NOT_FOUND', meaning: 'no such route' },
  LOOPBACK_ONLY: { status: 'PERMISSION_DENIED', meaning: 'admin and faucet routes answer loopback clients only' },
  LEDGER_UNAVAILABLE: { status: 'UNAVAILABLE', meaning: 'the ledger cannot persist writes (its log failed); restart it' },
  INTERNAL: { status: 'INTERNAL', meaning: 'an unexpected failure' },
} as const satisfies Record<string, { status: ErrorStatus; meaning: string }>;

export type LedgerErrorReason = keyof typeof LEDGER_ERRORS;

/** A refusal; the ledger's state is unchanged whenever one is thrown. */
export class LedgerError extends Error {
  readonly reason: LedgerErrorReason;
  readonly metadata: Readonly<Record<string, string>>;

  constructor(reason: LedgerErrorReason, message: string, metadata: Record<string, string> = {}) {
    super(message);
    this.name = 'LedgerError';
    this.reason = reason;
    this.metadata = metadata;
  }

  get status(): ErrorStatus {
    return LEDGER_ERRORS[this.reason].status;
  }
}

export interface LedgerErrorResponse {
  readonly statusCode: number;
  readonly body: ErrorBody;
}

export function ledgerErrorResponse(error: LedgerError): LedgerErrorResponse {
  const body = errorBody(error.status, error.message, { reason: error.reason, domain: DOMAIN_LEDGER, metadata: { ...error.metadata } });
  return { statusCode: ERROR_STATUS_CODES[error.status], body };
}
