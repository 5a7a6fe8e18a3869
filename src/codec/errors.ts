/** Errors raised by the codec. Each carries a stable `code`; the HTTP layer maps codes to responses. */
export class CodecError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The shard count cannot carry an RS2 encoding. */
export class InvalidShardCountError extends CodecError {
  constructor(nShards: number, reason: string) {
    super('INVALID_SHARD_COUNT', `invalid number of shards ${nShards}: ${reason}`);
  }
}

/** The blob needs a symbol larger than 65,534 bytes for this shard count. */
export class BlobTooLargeError extends CodecError {
  constructor(readonly size: number, readonly maxSize: number) {
    super('BLOB_TOO_LARGE', `blob of ${size} bytes exceeds the maximum of ${maxSize} bytes for this shard count`);
  }
}

/** Bytes that do not parse as the expected BCS type. */
export class MalformedBcsError extends CodecError {
  constructor(what: string, detail: string) {
    super('MALFORMED_BCS', `malformed ${what}: ${detail}`);
  }
}

/** A blob ID string that is not 43 characters of unpadded base64url encoding 32 bytes. */
export class InvalidBlobIdError extends CodecError {
  constructor(text: string) {
    super('INVALID_BLOB_ID', `invalid blob ID ${JSON.stringify(text.length > 64 ? text.slice(0, 64) + '…' : text)}`);
  }
}

/** Metadata that does not match its blob ID or is internally inconsistent. */
export class InvalidMetadataError extends CodecError {
  constructor(detail: string) {
    super('INVALID_METADATA', `invalid metadata: ${detail}`);
  }
}

/** A sliver that fails verification against the blob's metadata. */
export class InvalidSliverError extends CodecError {
  constructor(detail: string) {
    super('INVALID_SLIVER', `invalid sliver: ${detail}`);
  }
}

/** Too few slivers (or inconsistent ones) to rebuild the blob. */
export class DecodingError extends CodecError {
  constructor(detail: string) {
    super('DECODING_FAILED', `cannot decode blob: ${detail}`);
  }
}

/** The decoded blob does not re-encode to its blob ID (a byzantine writer or node). */
export class InconsistentBlobError extends CodecError {
  constructor(detail: string) {
    super('INCONSISTENT_BLOB', `inconsistent blob: ${detail}`);
  }
}

/**
 * What a {@link QuiltError} is about, so the HTTP layer can pick a status without reading messages:
 * the caller's files (`INVALID_QUILT_INPUT`), a quilt that cannot be built at this shard count
 * (`QUILT_TOO_LARGE`), stored bytes that are not a valid QuiltV1 (`MALFORMED_QUILT`), a patch ID
 * that does not parse (`INVALID_QUILT_PATCH_ID`) or names columns the quilt does not have
 * (`QUILT_PATCH_OUT_OF_RANGE`).
 */
export type QuiltErrorCode = 'INVALID_QUILT_INPUT' | 'QUILT_TOO_LARGE' | 'MALFORMED_QUILT' | 'INVALID_QUILT_PATCH_ID' | 'QUILT_PATCH_OUT_OF_RANGE';

/**
 * A quilt that cannot be built or read (docs/protocol.md §2.7). Messages are the Display strings of
 * the Rust `QuiltError` (crates/walrus-core/src/encoding/errors.rs) wherever the reference has one.
 */
export class QuiltError extends CodecError {
  declare readonly code: QuiltErrorCode;
  constructor(code: QuiltErrorCode, message: string) {
    super(code, message);
  }
}
