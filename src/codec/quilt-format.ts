/**
 * The QuiltV1 wire format shared by the quilt encoder and reader (docs/protocol.md §2.7): its
 * constants, types, identifier rules, the BCS pieces of the index and patch headers, and the
 * column-major layout. Facts from W:crates/walrus-core/src/encoding/quilt_encoding.rs,
 * W:crates/walrus-core/src/metadata.rs and T:packages/walrus/src/utils/quilts.ts.
 */
import { BcsReader, BcsWriter, ulebLength } from './bcs.ts';
import { MalformedBcsError, QuiltError } from './errors.ts';
import type { EncodingParams } from './params.ts';

/** First byte of a QuiltV1 blob, of every patch header and of every patch ID. */
export const QUILT_VERSION_V1 = 1;
/** The index is preceded by the version byte and its byte length as a u32 LE. */
export const QUILT_INDEX_PREFIX_BYTES = 5;
export const QUILT_INDEX_LENGTH_OFFSET = 1;
/** The index may use columns 0..9 and no more (`MAX_NUM_SLIVERS_FOR_QUILT_INDEX`). */
export const MAX_QUILT_INDEX_COLUMNS = 10;
/** `BlobHeaderV1`: version u8, length u32 LE (everything after the header), mask u8. */
export const QUILT_PATCH_HEADER_BYTES = 6;
export const QUILT_PATCH_LENGTH_OFFSET = 1;
export const QUILT_PATCH_MASK_OFFSET = 5;
/** Mask bit 0: a tags section follows the identifier. */
export const QUILT_PATCH_TAGS_FLAG = 1;
/** The identifier and tags sections each start with their BCS size as a u16 LE. */
export const QUILT_SECTION_SIZE_BYTES = 2;
/** The largest value of those u16 size fields. */
export const QUILT_SECTION_SIZE_LIMIT = 0xffff;
/** Rust refuses identifiers over this many UTF-8 bytes (`validate_quilt_identifier`). */
export const QUILT_IDENTIFIER_LENGTH_LIMIT = QUILT_SECTION_SIZE_LIMIT;
/** `BlobHeaderV1.length` is a u32. */
export const MAX_QUILT_PATCH_LENGTH = 0xffff_ffff;

/**
 * The longest identifier, in UTF-8 bytes, that Rust accepts: its BCS form (ULEB128 length + bytes)
 * must stay BELOW the u16 limit (`serialized_blob_size` refuses `>=`), which makes it 65,531.
 */
export const MAX_QUILT_IDENTIFIER_BYTES = ((): number => {
  let length = QUILT_SECTION_SIZE_LIMIT;
  while (length + ulebLength(length) >= QUILT_SECTION_SIZE_LIMIT) length--;
  return length;
})();

/** The Blob object attribute that marks a quilt (`BLOB_TYPE_ATTRIBUTE_KEY`, `QUILT_TYPE_VALUE` in W:…/encoding/basic_encoding.rs). */
export const BLOB_TYPE_ATTRIBUTE_KEY = '_walrusBlobType';
export const QUILT_BLOB_TYPE = 'quilt';
/** The attributes a quilt's Blob object is registered with, as the Rust publisher and the SDK set them. */
export const QUILT_BLOB_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({ [BLOB_TYPE_ATTRIBUTE_KEY]: QUILT_BLOB_TYPE });

export type QuiltTags = Readonly<Record<string, string>>;

/** One file to put in a quilt. */
export interface QuiltInput {
  readonly identifier: string;
  readonly tags?: QuiltTags;
  readonly contents: Uint8Array;
}

/** A patch as the index describes it: columns [startColumn, endColumn) of the quilt. */
export interface QuiltPatch {
  readonly identifier: string;
  readonly tags: QuiltTags;
  readonly startColumn: number;
  readonly endColumn: number;
}

/** Where a quilt's bytes sit: `rows` × `columns` symbols; a column (one secondary sliver) is `columnBytes`. */
export interface QuiltLayout {
  readonly rows: number;
  readonly columns: number;
  readonly symbolSize: number;
  readonly columnBytes: number;
}

/**
 * Layout facts a reader needs from the blob's unencoded length. A quilt always fills its whole
 * p × s matrix, so any other length is not a quilt (Rust's `InvalidFormatNotAligned`).
 */
export function quiltLayout(params: EncodingParams, unencodedLength: number): QuiltLayout {
  if (unencodedLength === 0) throw new QuiltError('MALFORMED_QUILT', 'quilt_blob is empty');
  const { primarySourceSymbols: rows, secondarySourceSymbols: columns } = params;
  const symbolSize = params.symbolSize(unencodedLength);
  if (unencodedLength !== rows * columns * symbolSize) {
    throw new QuiltError(
      'MALFORMED_QUILT',
      `the blob is not aligned with the quilt: quilt_blob length ${unencodedLength} is not ${rows}·${columns} symbols of ${symbolSize} bytes`,
    );
  }
  return { rows, columns, symbolSize, columnBytes: rows * symbolSize };
}

/**
 * Columns [start, end) of a whole quilt blob, concatenated: what secondary slivers start..end−1
 * carry. The blob is row-major (docs/protocol.md §1.3), so each column is gathered symbol by symbol.
 */
export function quiltColumns(blob: Uint8Array, layout: QuiltLayout, start: number, end: number): Uint8Array {
  const { rows, columns, symbolSize, columnBytes } = layout;
  if (blob.length !== rows * columns * symbolSize) {
    throw new QuiltError('MALFORMED_QUILT', `the blob is not aligned with the quilt: quilt_blob length ${blob.length} does not match its layout`);
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end) {
    throw new RangeError(`invalid column range ${start}..${end}`);
  }
  if (end > columns) throw new QuiltError('QUILT_PATCH_OUT_OF_RANGE', `index is out of bounds: ${end} > max index: ${columns}`);
  const rowBytes = columns * symbolSize;
  const out = new Uint8Array((end - start) * columnBytes);
  for (let c = start; c < end; c++) {
    const columnStart = (c - start) * columnBytes;
    for (let r = 0; r < rows; r++) {
      const from = r * rowBytes + c * symbolSize;
      out.set(blob.subarray(from, from + symbolSize), columnStart + r * symbolSize);
    }
  }
  return out;
}

// A lone surrogate has no UTF-8 form: TextEncoder would write U+FFFD, so two different JS strings
// could become the same identifier on the wire. Rust strings cannot hold one at all.
const LONE_SURROGATE = /\p{Surrogate}/u;
// Rust's `str::trim_end` and `char::is_control` use exactly these Unicode properties; JS's `\s`
// differs (it lacks U+0085 and adds U+FEFF).
const TRAILING_WHITESPACE = /\p{White_Space}$/u;
const CONTROL_CHARACTER = /\p{Cc}/u;

const utf8Encoder = new TextEncoder();
// `ignoreBOM`: a leading U+FEFF is part of the string, not a byte-order mark to drop.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 of a string already checked to hold no lone surrogate. */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Throws unless Rust would accept `identifier` (`validate_quilt_identifier` and the size check of
 * `serialized_blob_size`, W:…/quilt_encoding.rs): not empty, at most {@link MAX_QUILT_IDENTIFIER_BYTES}
 * UTF-8 bytes, no trailing whitespace, no control characters. Rust readers apply the same rules
 * when they return a patch, so a quilt that breaks them cannot be read back through the reference.
 */
export function validateQuiltIdentifier(identifier: string): void {
  if (LONE_SURROGATE.test(identifier)) {
    throw new QuiltError('INVALID_QUILT_INPUT', 'invalid identifier: identifier contains a lone UTF-16 surrogate');
  }
  const bytes = utf8(identifier).length;
  if (bytes > QUILT_IDENTIFIER_LENGTH_LIMIT) throw new QuiltError('INVALID_QUILT_INPUT', `invalid identifier: identifier too long: ${bytes}`);
  if (bytes === 0) throw new QuiltError('INVALID_QUILT_INPUT', 'invalid identifier: identifier is empty');
  if (TRAILING_WHITESPACE.test(identifier)) {
    throw new QuiltError('INVALID_QUILT_INPUT', `invalid identifier: identifier contains trailing whitespace: ${identifier}`);
  }
  if (CONTROL_CHARACTER.test(identifier)) {
    throw new QuiltError('INVALID_QUILT_INPUT', `invalid identifier: identifier contains control characters: ${identifier}`);
  }
  if (bytes > MAX_QUILT_IDENTIFIER_BYTES) {
    throw new QuiltError('INVALID_QUILT_INPUT', `invalid identifier: identifier size exceeds maximum allowed value: ${QUILT_SECTION_SIZE_LIMIT}`);
  }
}

/** Throws unless every tag key and value has a UTF-8 form (Rust tags are `String`s, which always do). */
export function validateQuiltTags(tags: QuiltTags): void {
  for (const [key, value] of Object.entries(tags)) {
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
      throw new QuiltError('INVALID_QUILT_INPUT', `invalid tags: tag ${JSON.stringify(key)} contains a lone UTF-16 surrogate`);
    }
  }
}

/** BCS `String`: ULEB128 byte length, then UTF-8. */
export function bcsString(text: string): Uint8Array {
  const bytes = utf8(text);
  return new BcsWriter(ulebLength(bytes.length) + bytes.length).bytes(bytes).toBytes();
}

/** Lexicographic byte order, shorter first on a tie: Rust's `Ord` for `[u8]`. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * BCS `BTreeMap<String, String>`: entries ordered by their SERIALIZED keys (length prefix first),
 * which is how the bcs crate and @mysten/bcs both write maps, not by Rust's `String` order.
 */
export function bcsTags(tags: QuiltTags): Uint8Array {
  const entries = Object.entries(tags).map(([key, value]) => ({ key: bcsString(key), value: bcsString(value) }));
  entries.sort((a, b) => compareBytes(a.key, b.key));
  const size = ulebLength(entries.length) + entries.reduce((sum, e) => sum + e.key.length + e.value.length, 0);
  const writer = new BcsWriter(size).uleb128(entries.length);
  for (const { key, value } of entries) writer.fixedBytes(key).fixedBytes(value);
  return writer.toBytes();
}

/** Reads a BCS `String`; invalid UTF-8 fails the reader like any other malformed byte. */
export function readBcsString(reader: BcsReader): string {
  const bytes = reader.bytes();
  try {
    return utf8Decoder.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return reader.fail('string is not valid UTF-8');
    throw error;
  }
}

/**
 * Reads a BCS string map the way the bcs crate does: keys strictly increasing in serialized order
 * (so no duplicates), as Rust readers refuse anything else. @mysten/bcs does not check.
 */
export function readBcsTags(reader: BcsReader): Record<string, string> {
  const count = reader.uleb128();
  const entries: [string, string][] = [];
  let previousKey: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const key = readBcsString(reader);
    const serializedKey = bcsString(key);
    if (previousKey && compareBytes(previousKey, serializedKey) >= 0) reader.fail('map keys are not in canonical order');
    previousKey = serializedKey;
    entries.push([key, readBcsString(reader)]);
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays a plain entry.
  return Object.fromEntries(entries);
}

/** Parses `bytes` completely with `parse`, turning any malformed byte into the QuiltError `toError` makes. */
export function decodeQuiltBcs<T>(bytes: Uint8Array, what: string, parse: (reader: BcsReader) => T, toError: (detail: string) => QuiltError): T {
  const reader = new BcsReader(bytes, what);
  try {
    const value = parse(reader);
    reader.end();
    return value;
  } catch (error) {
    if (error instanceof MalformedBcsError) throw toError(error.message);
    throw error;
  }
}
