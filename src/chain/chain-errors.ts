/**
 * Failures of chain calls, in domain terms. Every implementation of the chain client (local
 * ledger, Sui) raises these, so callers branch on `code` and never on a backend's wording.
 * Each class corresponds to a Move abort of the Walrus contracts where one exists.
 */
export const CHAIN_ERROR_CODES = [
  'INSUFFICIENT_BALANCE',
  'INVALID_EPOCHS_AHEAD',
  'BLOB_ID_MISMATCH',
  'STORAGE_TOO_SMALL',
  'UNSUPPORTED_ENCODING_TYPE',
  'INVALID_SIGNERS_BITMAP',
  'CERTIFICATE_BELOW_QUORUM',
  'INVALID_CERTIFICATE_SIGNATURE',
  'CERTIFICATE_EPOCH_MISMATCH',
  'CERTIFICATE_MISMATCH',
  'BLOB_ALREADY_CERTIFIED',
  'BLOB_NOT_CERTIFIED',
  'BLOB_EXPIRED',
  'BLOB_NOT_DELETABLE',
  'OBJECT_NOT_FOUND',
  'NOT_OBJECT_OWNER',
  'INVALID_TRANSACTION',
  'INVALID_TRANSACTION_SIGNATURE',
  'TRANSACTION_EXPIRED',
  'TRANSACTION_NOT_FOUND',
  'CHAIN_UNAVAILABLE',
  'INVALID_CHAIN_RESPONSE',
] as const;

export type ChainErrorCode = (typeof CHAIN_ERROR_CODES)[number];

export class ChainError extends Error {
  readonly code: ChainErrorCode;
  constructor(code: ChainErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The coin a wallet is short of: WAL for storage, SUI for gas. */
export type BalanceAsset = 'WAL' | 'SUI';

/**
 * The paying wallet holds less WAL than the call costs (Move: `balance::split` abort), or less SUI
 * than its gas budget. Amounts are in the asset's smallest unit (FROST, MIST).
 */
export class InsufficientBalanceError extends ChainError {
  constructor(
    message: string,
    readonly required: bigint | null = null,
    readonly available: bigint | null = null,
    readonly asset: BalanceAsset = 'WAL',
  ) {
    super('INSUFFICIENT_BALANCE', message);
  }
}

/** `epochs_ahead` is 0 or the resulting end epoch is past `max_epochs_ahead` (`EInvalidEpochsAhead`). */
export class InvalidEpochsAheadError extends ChainError {
  constructor(message: string) {
    super('INVALID_EPOCHS_AHEAD', message);
  }
}

/** `derive_blob_id(root_hash, encoding_type, size) != blob_id` (`blob::EInvalidBlobId`). */
export class BlobIdMismatchError extends ChainError {
  constructor(message: string) {
    super('BLOB_ID_MISMATCH', message);
  }
}

/** The storage resource is smaller than the blob's encoded length (`blob::EResourceSize`). */
export class StorageTooSmallError extends ChainError {
  constructor(message: string) {
    super('STORAGE_TOO_SMALL', message);
  }
}

export class UnsupportedEncodingTypeError extends ChainError {
  constructor(message: string) {
    super('UNSUPPORTED_ENCODING_TYPE', message);
  }
}

/** The signers bitmap is too long or names members past the committee (`EInvalidBitmap`). */
export class InvalidSignersBitmapError extends ChainError {
  constructor(message: string) {
    super('INVALID_SIGNERS_BITMAP', message);
  }
}

/** The signers hold less than a quorum of shards, 3w < 2n+1 (`ENotEnoughStake`). */
export class CertificateBelowQuorumError extends ChainError {
  constructor(message: string) {
    super('CERTIFICATE_BELOW_QUORUM', message);
  }
}

/** The aggregate signature does not verify against the signers' keys (`ESigVerification`). */
export class InvalidCertificateSignatureError extends ChainError {
  constructor(message: string) {
    super('INVALID_CERTIFICATE_SIGNATURE', message);
  }
}

/**
 * The certified message is for another epoch (`EIncorrectEpoch`). Retryable: collect fresh
 * confirmations from the current committee.
 */
export class CertificateEpochMismatchError extends ChainError {
  constructor(message: string) {
    super('CERTIFICATE_EPOCH_MISMATCH', message);
  }
}

/** The certified message is not a blob certification for this blob object (intent, blob ID, persistence, object ID). */
export class CertificateMismatchError extends ChainError {
  constructor(message: string) {
    super('CERTIFICATE_MISMATCH', message);
  }
}

export class BlobAlreadyCertifiedError extends ChainError {
  constructor(message: string) {
    super('BLOB_ALREADY_CERTIFIED', message);
  }
}

export class BlobNotCertifiedError extends ChainError {
  constructor(message: string) {
    super('BLOB_NOT_CERTIFIED', message);
  }
}

/** The blob's storage ended (current epoch ≥ end epoch; `blob::EResourceBounds`). */
export class BlobExpiredError extends ChainError {
  constructor(message: string) {
    super('BLOB_EXPIRED', message);
  }
}

export class BlobNotDeletableError extends ChainError {
  constructor(message: string) {
    super('BLOB_NOT_DELETABLE', message);
  }
}

export class ObjectNotFoundError extends ChainError {
  constructor(message: string) {
    super('OBJECT_NOT_FOUND', message);
  }
}

/** The signer does not own the object it tried to use. */
export class NotObjectOwnerError extends ChainError {
  constructor(message: string) {
    super('NOT_OBJECT_OWNER', message);
  }
}

/** The chain refused the call's arguments as malformed. */
export class InvalidTransactionError extends ChainError {
  constructor(message: string) {
    super('INVALID_TRANSACTION', message);
  }
}

export class InvalidTransactionSignatureError extends ChainError {
  constructor(message: string) {
    super('INVALID_TRANSACTION_SIGNATURE', message);
  }
}

export class TransactionExpiredError extends ChainError {
  constructor(message: string) {
    super('TRANSACTION_EXPIRED', message);
  }
}

/** No executed transaction has this digest (a lookup, not a Move abort). */
export class TransactionNotFoundError extends ChainError {
  constructor(message: string) {
    super('TRANSACTION_NOT_FOUND', message);
  }
}

/** The chain could not be reached or failed internally; the call may be retried. */
export class ChainUnavailableError extends ChainError {
  constructor(message: string, options?: ErrorOptions) {
    super('CHAIN_UNAVAILABLE', message, options);
  }
}

/** The chain answered with something this client does not understand. */
export class InvalidChainResponseError extends ChainError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_CHAIN_RESPONSE', message, options);
  }
}
