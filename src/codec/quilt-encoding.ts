/**
 * Builds a QuiltV1 blob (docs/protocol.md §2.7): byte for byte what `encodeQuilt` of
 * T:packages/walrus/src/utils/quilts.ts returns and what `construct_quilt` of
 * W:crates/walrus-core/src/encoding/quilt_encoding.rs builds, for the same sorted files.
 */
import { BcsWriter, ulebLength } from './bcs.ts';
import { QuiltError } from './errors.ts';
import { MAX_SYMBOL_SIZE, SYMBOL_ALIGNMENT, type EncodingParams } from './params.ts';
import {
  MAX_QUILT_INDEX_COLUMNS,
  MAX_QUILT_PATCH_LENGTH,
  QUILT_INDEX_PREFIX_BYTES,
  QUILT_PATCH_HEADER_BYTES,
  QUILT_PATCH_TAGS_FLAG,
  QUILT_SECTION_SIZE_BYTES,
  QUILT_SECTION_SIZE_LIMIT,
  QUILT_VERSION_V1,
  bcsString,
  bcsTags,
  validateQuiltIdentifier,
  validateQuiltTags,
  type QuiltInput,
  type QuiltLayout,
  type QuiltPatch,
} from './quilt-format.ts';

/** Bytes of an index entry's `end_index: u16`. */
const END_INDEX_BYTES = 2;

/** A file ready to be written: its header, identifier and tags sections, then its contents. */
interface PreparedPatch {
  readonly input: QuiltInput;
  readonly identifierBcs: Uint8Array;
  /** BCS of the tags map, also when empty: the index always carries it. */
  readonly tagsBcs: Uint8Array;
  readonly prefix: Uint8Array;
  /** Header + sections + contents. */
  readonly size: number;
}

export interface EncodedQuilt {
  /** The unencoded quilt blob: the whole p × s × ss matrix, row-major. */
  readonly bytes: Uint8Array;
  readonly symbolSize: number;
  /** In index order (sorted by identifier), with their column ranges. */
  readonly patches: QuiltPatch[];
}

/**
 * Encodes `inputs` into the unencoded bytes of a QuiltV1 blob. Refuses no inputs (as the reference
 * publisher does) and, as Rust's `construct_quilt` does, identifiers it would not accept (see
 * `validateQuiltIdentifier`), duplicates, more files than columns, sections too large for their
 * size fields, and quilts whose symbol would pass {@link MAX_SYMBOL_SIZE}.
 */
export function encodeQuiltV1(inputs: readonly QuiltInput[], params: EncodingParams): EncodedQuilt {
  // Rust's `construct_quilt` would build an index-only quilt here; the reference publisher refuses
  // the request first ("no files provided"), and so do we, with `compute_symbol_size`'s wording.
  if (inputs.length === 0) throw new QuiltError('INVALID_QUILT_INPUT', 'blobs is empty');
  for (const input of inputs) {
    validateQuiltIdentifier(input.identifier);
    if (input.tags) validateQuiltTags(input.tags);
  }
  // The SDK sorts with JS `<`, i.e. by UTF-16 code units; Rust sorts `String`s by UTF-8 bytes, i.e.
  // by code point. The two agree unless, at the first difference, one identifier has a character
  // outside the BMP (a surrogate, 0xD800–0xDFFF) and the other one in U+E000–U+FFFF. We follow the
  // SDK, so quilts of the same files get the same blob ID as the SDK's (docs/protocol.md §2.7).
  const sorted = [...inputs].sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].identifier === sorted[i - 1].identifier) {
      throw new QuiltError('INVALID_QUILT_INPUT', `duplicate identifier found: ${sorted[i].identifier}`);
    }
  }

  const patches = sorted.map(preparePatch);
  const indexSize =
    QUILT_INDEX_PREFIX_BYTES +
    ulebLength(patches.length) +
    patches.reduce((sum, patch) => sum + END_INDEX_BYTES + patch.identifierBcs.length + patch.tagsBcs.length, 0);
  const { primarySourceSymbols: rows, secondarySourceSymbols: columns } = params;
  const symbolSize = quiltSymbolSize([indexSize, ...patches.map((patch) => patch.size)], rows, columns);
  const layout: QuiltLayout = { rows, columns, symbolSize, columnBytes: rows * symbolSize };

  const bytes = new Uint8Array(rows * columns * symbolSize);
  // The symbol-size search keeps the index within MAX_QUILT_INDEX_COLUMNS (its lower bound), so
  // Rust's `assert!(index_cols_needed <= MAX_NUM_SLIVERS_FOR_QUILT_INDEX)` cannot fire here either.
  let column = Math.ceil(indexSize / layout.columnBytes);
  const placed: QuiltPatch[] = [];
  for (const patch of patches) {
    writeColumns(bytes, layout, column, 0, patch.prefix);
    writeColumns(bytes, layout, column, patch.prefix.length, patch.input.contents);
    const endColumn = column + Math.ceil(patch.size / layout.columnBytes);
    placed.push({ identifier: patch.input.identifier, tags: { ...patch.input.tags }, startColumn: column, endColumn });
    column = endColumn;
  }

  // The index goes in last, once every end column is known: version ‖ u32 LE length ‖ BCS(QuiltIndexV1).
  const index = new BcsWriter(indexSize).u8(QUILT_VERSION_V1).u32(indexSize - QUILT_INDEX_PREFIX_BYTES).uleb128(patches.length);
  for (const [i, patch] of patches.entries()) index.u16(placed[i].endColumn).fixedBytes(patch.identifierBcs).fixedBytes(patch.tagsBcs);
  writeColumns(bytes, layout, 0, 0, index.toBytes());
  return { bytes, symbolSize, patches: placed };
}

/** `BlobHeaderV1` ‖ u16 identifier size ‖ BCS(identifier) [‖ u16 tags size ‖ BCS(tags)], as `get_header_and_extension_bytes`. */
function preparePatch(input: QuiltInput): PreparedPatch {
  const identifierBcs = bcsString(input.identifier);
  const tagsBcs = bcsTags(input.tags ?? {});
  const hasTags = Object.keys(input.tags ?? {}).length > 0;
  if (hasTags && tagsBcs.length > QUILT_SECTION_SIZE_LIMIT) {
    // Rust's wording; the SDK writes the u16 size modulo 65,536 instead, corrupting the patch.
    throw new QuiltError('INVALID_QUILT_INPUT', 'other error: Failed to convert tags size to u16: out of range integral type conversion attempted');
  }
  const sections = QUILT_SECTION_SIZE_BYTES + identifierBcs.length + (hasTags ? QUILT_SECTION_SIZE_BYTES + tagsBcs.length : 0);
  const length = sections + input.contents.length;
  if (length > MAX_QUILT_PATCH_LENGTH) {
    throw new QuiltError(
      'QUILT_TOO_LARGE',
      `the quilt is too large: blob size (${length} bytes) exceeds the maximum size for a single blob in a quilt ` +
        `(${MAX_QUILT_PATCH_LENGTH} bytes); the per-blob limit is constrained by the 4-byte header format`,
    );
  }
  const writer = new BcsWriter(QUILT_PATCH_HEADER_BYTES + sections)
    .u8(QUILT_VERSION_V1)
    .u32(length)
    .u8(hasTags ? QUILT_PATCH_TAGS_FLAG : 0)
    .u16(identifierBcs.length)
    .fixedBytes(identifierBcs);
  if (hasTags) writer.u16(tagsBcs.length).fixedBytes(tagsBcs);
  return { input, identifierBcs, tagsBcs, prefix: writer.toBytes(), size: QUILT_PATCH_HEADER_BYTES + length };
}

/**
 * The smallest even symbol size at which every item (index first, then each patch) fits in whole
 * columns of its own, as `compute_symbol_size` (Rust) and `computeSymbolSize` (SDK) find it by
 * binary search. The two write their bounds differently (the SDK's are real-valued and its upper
 * bound looser) but search the same monotone predicate, so they return the same size; ours are
 * Rust's integer bounds.
 */
function quiltSymbolSize(sizes: readonly number[], rows: number, columns: number): number {
  if (sizes.length > columns) {
    // Column 0 is the index's, hence the "− 1" on both sides, as in Rust.
    throw new QuiltError('QUILT_TOO_LARGE', `too many blobs to fit in the quilt: ${sizes.length - 1} > max number of blobs: ${columns - 1}`);
  }
  const fits = (symbolSize: number): boolean => {
    const columnBytes = symbolSize * rows;
    let used = 0;
    for (const size of sizes) used += Math.ceil(size / columnBytes);
    return used <= columns;
  };
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let low = Math.max(
    Math.ceil(total / (rows * columns)),
    Math.ceil(sizes[0] / (rows * MAX_QUILT_INDEX_COLUMNS)),
    Math.ceil(QUILT_INDEX_PREFIX_BYTES / rows),
  );
  let high = Math.max(low, Math.ceil(Math.max(...sizes) / (Math.floor(columns / sizes.length) * rows)));
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) high = mid;
    else low = mid + 1;
  }
  const symbolSize = Math.ceil(low / SYMBOL_ALIGNMENT) * SYMBOL_ALIGNMENT;
  if (symbolSize > MAX_SYMBOL_SIZE) {
    throw new QuiltError(
      'QUILT_TOO_LARGE',
      `the quilt is too large: the resulting symbol size ${symbolSize} is larger than the maximum symbol size ${MAX_SYMBOL_SIZE}; remove some blobs`,
    );
  }
  return symbolSize;
}

/**
 * Writes `bytes` into the row-major matrix as if the columns from `startColumn` on were one run:
 * byte `offset` of that run is in column startColumn + ⌊offset / columnBytes⌋, filled top to bottom
 * (`write_bytes_to_columns`).
 */
function writeColumns(target: Uint8Array, layout: QuiltLayout, startColumn: number, offset: number, bytes: Uint8Array): void {
  const { columns, symbolSize, columnBytes } = layout;
  const rowBytes = columns * symbolSize;
  let done = 0;
  let at = offset;
  while (done < bytes.length) {
    const column = startColumn + Math.floor(at / columnBytes);
    const inColumn = at % columnBytes;
    const row = Math.floor(inColumn / symbolSize);
    const inSymbol = inColumn % symbolSize;
    const take = Math.min(symbolSize - inSymbol, bytes.length - done);
    target.set(bytes.subarray(done, done + take), row * rowBytes + column * symbolSize + inSymbol);
    done += take;
    at += take;
  }
}
