/**
 * Quilt patch IDs (docs/protocol.md §2.7): unpadded base64url of the quilt's 32-byte blob ID followed
 * by `QuiltPatchInternalIdV1` (version 0x01, start column u16 LE, end column u16 LE). Sources:
 * `QuiltPatchId` in W:crates/walrus-core/src/lib.rs, `QuiltPatchInternalIdV1` in
 * W:crates/walrus-core/src/metadata.rs, `QuiltPatchId` in T:packages/walrus/src/utils/bcs.ts.
 */
import { blobIdToString } from './blob-id.ts';
import { QuiltError } from './errors.ts';
import { DIGEST_LENGTH } from './params.ts';
import { QUILT_VERSION_V1 } from './quilt-format.ts';

const VERSION_BYTES = 1;
const COLUMN_BYTES = 2;
const MAX_COLUMN = 0xffff;
/** `QuiltPatchInternalIdV1`: version, start, end. */
export const QUILT_PATCH_INTERNAL_ID_BYTES = VERSION_BYTES + 2 * COLUMN_BYTES;
export const QUILT_PATCH_ID_BYTES = DIGEST_LENGTH + QUILT_PATCH_INTERNAL_ID_BYTES;
/** 37 bytes in unpadded base64 (4 characters per 3 bytes, rounded up). */
export const QUILT_PATCH_ID_TEXT_LENGTH = Math.ceil((QUILT_PATCH_ID_BYTES * 4) / 3);
const START_AT = DIGEST_LENGTH + VERSION_BYTES;
const END_AT = START_AT + COLUMN_BYTES;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Longest text looked at: longer is refused before decoding, and quoted cut to this in errors. */
const QUOTED_ID_LIMIT = 64;

export interface QuiltPatchIdParts {
  readonly quiltId: Uint8Array;
  readonly startColumn: number;
  readonly endColumn: number;
}

function isColumn(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_COLUMN;
}

/** The text form of patch [startColumn, endColumn) of quilt `quiltId`. */
export function encodeQuiltPatchId(quiltId: Uint8Array, startColumn: number, endColumn: number): string {
  if (quiltId.length !== DIGEST_LENGTH) throw new RangeError(`a quilt ID is ${DIGEST_LENGTH} bytes, not ${quiltId.length}`);
  if (!isColumn(startColumn) || !isColumn(endColumn) || startColumn >= endColumn) {
    throw new RangeError(`invalid patch columns ${startColumn}..${endColumn}`);
  }
  const bytes = new Uint8Array(QUILT_PATCH_ID_BYTES);
  bytes.set(quiltId);
  bytes[DIGEST_LENGTH] = QUILT_VERSION_V1;
  const fields = new DataView(bytes.buffer);
  fields.setUint16(START_AT, startColumn, true);
  fields.setUint16(END_AT, endColumn, true);
  // The same unpadded base64url as a blob ID's text form.
  return blobIdToString(bytes);
}

/**
 * Strictly parses a patch ID: canonical unpadded base64url of exactly 37 bytes, version 1, and a
 * non-empty column range. Rust checks the same apart from the range (an empty one reads nothing);
 * the SDK checks only that the bytes parse.
 */
export function parseQuiltPatchId(text: string): QuiltPatchIdParts {
  const quoted = text.length > QUOTED_ID_LIMIT ? `${text.slice(0, QUOTED_ID_LIMIT)}…` : text;
  const invalid = (detail?: string) => new QuiltError('INVALID_QUILT_PATCH_ID', `QuiltPatchId: ${quoted} is invalid${detail ? `: ${detail}` : ''}`);
  if (text.length > QUOTED_ID_LIMIT || !BASE64URL.test(text)) throw invalid();
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  // Canonical: re-encoding gives the same text (no padding, no stray low bits in the last character).
  if (blobIdToString(bytes) !== text || bytes.length <= DIGEST_LENGTH) throw invalid();
  if (bytes.length !== QUILT_PATCH_ID_BYTES) {
    throw new QuiltError('INVALID_QUILT_PATCH_ID', `other error: QuiltPatchInternalIdV1 requires ${QUILT_PATCH_INTERNAL_ID_BYTES} bytes`);
  }
  const version = bytes[DIGEST_LENGTH];
  if (version !== QUILT_VERSION_V1) {
    throw new QuiltError('INVALID_QUILT_PATCH_ID', `the quilt version does not match the expected version: ${version}, expected: ${QUILT_VERSION_V1}`);
  }
  const fields = new DataView(bytes.buffer);
  const startColumn = fields.getUint16(START_AT, true);
  const endColumn = fields.getUint16(END_AT, true);
  if (startColumn >= endColumn) throw invalid(`its start column ${startColumn} is not below its end column ${endColumn}`);
  return { quiltId: bytes.slice(0, DIGEST_LENGTH), startColumn, endColumn };
}
