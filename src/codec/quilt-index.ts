/**
 * Reads a QuiltV1 blob from its column bytes (docs/protocol.md §2.7): the index in the first
 * columns, then one patch at a time. Quilt bytes are whatever the writer chose to store, so every
 * field is checked and every failure is a {@link QuiltError}. Facts from `decode_quilt_index` and
 * `decode_blob` in W:crates/walrus-core/src/encoding/quilt_encoding.rs and from the SDK's
 * T:packages/walrus/src/files/readers/quilt.ts.
 */
import { QuiltError } from './errors.ts';
import {
  MAX_QUILT_INDEX_COLUMNS,
  QUILT_INDEX_LENGTH_OFFSET,
  QUILT_INDEX_PREFIX_BYTES,
  QUILT_PATCH_HEADER_BYTES,
  QUILT_PATCH_LENGTH_OFFSET,
  QUILT_PATCH_MASK_OFFSET,
  QUILT_PATCH_TAGS_FLAG,
  QUILT_SECTION_SIZE_BYTES,
  QUILT_VERSION_V1,
  decodeQuiltBcs,
  readBcsString,
  readBcsTags,
  type QuiltLayout,
  type QuiltPatch,
} from './quilt-format.ts';

/** The outcome of {@link parseQuiltIndex}: the index, or how many leading columns it needs. */
export type QuiltIndexParse =
  | { readonly kind: 'more'; readonly columns: number }
  | { readonly kind: 'index'; readonly patches: QuiltPatch[]; readonly indexColumns: number };

/** A patch's contents and the identifier and tags its own header carries. */
export interface ExtractedQuiltPatch {
  readonly data: Uint8Array;
  readonly identifier: string;
  readonly tags: Record<string, string>;
}

/** Which patch {@link extractQuiltPatch} reads; `identifier` when the index named it. */
export interface QuiltPatchRange {
  readonly startColumn: number;
  readonly endColumn: number;
  readonly identifier?: string;
}

function malformed(detail: string): QuiltError {
  return new QuiltError('MALFORMED_QUILT', `invalid quilt data: ${detail}`);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Parses the index from `columns`: the concatenated bytes of columns 0..k−1 (secondary slivers
 * 0..k−1), or any prefix of them. When the prefix announces more bytes than were given, answers
 * `{ kind: 'more', columns }` with the column count to fetch (at most {@link MAX_QUILT_INDEX_COLUMNS}).
 *
 * Beyond what Rust checks (version, index size, BCS), the patches' end columns must rise strictly
 * from the index's last column to at most the quilt's column count: every honest writer's do, and
 * a reader can then trust each patch's range.
 */
export function parseQuiltIndex(columns: Uint8Array, layout: QuiltLayout): QuiltIndexParse {
  const { columnBytes, columns: quiltColumns } = layout;
  const moreColumns = (bytes: number): QuiltIndexParse => ({ kind: 'more', columns: Math.ceil(bytes / columnBytes) });
  if (columns.length === 0) return moreColumns(1);
  if (columns[0] !== QUILT_VERSION_V1) {
    throw new QuiltError('MALFORMED_QUILT', `the quilt version does not match the expected version: ${columns[0]}, expected: ${QUILT_VERSION_V1}`);
  }
  if (columns.length < QUILT_INDEX_PREFIX_BYTES) return moreColumns(QUILT_INDEX_PREFIX_BYTES);

  const indexLength = view(columns).getUint32(QUILT_INDEX_LENGTH_OFFSET, true);
  // As `decode_quilt_index`: the prefix and the index together fit in the first 10 columns.
  const maxIndexLength = columnBytes * MAX_QUILT_INDEX_COLUMNS - QUILT_INDEX_PREFIX_BYTES;
  if (indexLength > maxIndexLength) {
    throw malformed(
      `quilt index size (${indexLength}) exceeds maximum (${maxIndexLength}, i.e. ${columnBytes} * ${MAX_QUILT_INDEX_COLUMNS} - ${QUILT_INDEX_PREFIX_BYTES})`,
    );
  }
  const indexEnd = QUILT_INDEX_PREFIX_BYTES + indexLength;
  // Rust and the SDK writer count the prefix in; the SDK READER (`readIndex`) does not, and so
  // starts the first patch one column early when the 5 prefix bytes spill into a new column.
  const indexColumns = Math.ceil(indexEnd / columnBytes);
  if (indexColumns > quiltColumns) throw malformed(`quilt index spans ${indexColumns} columns, the quilt has ${quiltColumns}`);
  if (columns.length < indexEnd) return moreColumns(indexEnd);

  const entries = decodeQuiltBcs(
    columns.subarray(QUILT_INDEX_PREFIX_BYTES, indexEnd),
    'quilt index',
    (reader) => {
      const count = reader.uleb128();
      const parsed: { endColumn: number; identifier: string; tags: Record<string, string> }[] = [];
      for (let i = 0; i < count; i++) {
        parsed.push({ endColumn: reader.u16(), identifier: readBcsString(reader), tags: readBcsTags(reader) });
      }
      return parsed;
    },
    (detail) => new QuiltError('MALFORMED_QUILT', `failed to decode the quilt index: ${detail}`),
  );

  // `start_index` is not on the wire: each patch starts where the previous one ended (`populate_start_indices`).
  let startColumn = indexColumns;
  const patches = entries.map(({ endColumn, identifier, tags }, i): QuiltPatch => {
    if (endColumn <= startColumn) throw malformed(`patch ${i} ends at column ${endColumn}, not after its start column ${startColumn}`);
    if (endColumn > quiltColumns) throw malformed(`patch ${i} ends at column ${endColumn}, past the quilt's ${quiltColumns} columns`);
    const patch = { identifier, tags, startColumn, endColumn };
    startColumn = endColumn;
    return patch;
  });
  return { kind: 'index', patches, indexColumns };
}

/**
 * The contents of one patch, from the concatenated bytes of its columns (startColumn..endColumn−1):
 * `BlobHeaderV1`, the identifier section, the tags section when the mask says so, then the data,
 * returned as a view into `columns`. When `patch.identifier` is given (a read through the index),
 * the header's identifier must equal it; a read by patch ID has none to compare.
 *
 * Unlike Rust's `decode_blob` this does not re-apply `validateQuiltIdentifier`: the SDK writes,
 * and reads, identifiers Rust refuses (empty, trailing whitespace), and those quilts should read here.
 */
export function extractQuiltPatch(columns: Uint8Array, patch: QuiltPatchRange): ExtractedQuiltPatch {
  if (columns.length < QUILT_PATCH_HEADER_BYTES) {
    throw new QuiltError('MALFORMED_QUILT', `insufficient quilt data: requested ${QUILT_PATCH_HEADER_BYTES} bytes, got ${columns.length}`);
  }
  if (columns[0] !== QUILT_VERSION_V1) throw malformed(`invalid blob header version byte: ${columns[0]}, expected: ${QUILT_VERSION_V1}`);
  const length = view(columns).getUint32(QUILT_PATCH_LENGTH_OFFSET, true);
  const mask = columns[QUILT_PATCH_MASK_OFFSET];
  const available = columns.length - QUILT_PATCH_HEADER_BYTES;
  if (length > available) throw malformed(`blob claims ${length} bytes but data source only has ${available}`);
  const body = columns.subarray(QUILT_PATCH_HEADER_BYTES, QUILT_PATCH_HEADER_BYTES + length);

  // The identifier section: u16 LE size, then exactly that many bytes of BCS `String`.
  let offset = 0;
  const section = (what: string): Uint8Array => {
    if (offset + QUILT_SECTION_SIZE_BYTES > body.length) throw malformed(`blob header length ${length} is smaller than its ${what} section`);
    const size = view(body).getUint16(offset, true);
    const start = offset + QUILT_SECTION_SIZE_BYTES;
    if (start + size > body.length) throw malformed(`blob header length ${length} is smaller than its ${what} section`);
    offset = start + size;
    return body.subarray(start, offset);
  };
  const identifier = decodeQuiltBcs(section('identifier'), 'quilt patch identifier', readBcsString, () => {
    return new QuiltError('MALFORMED_QUILT', 'invalid identifier: Failed to deserialize identifier');
  });
  const tags =
    (mask & QUILT_PATCH_TAGS_FLAG) === 0
      ? {}
      : decodeQuiltBcs(section('tags'), 'quilt patch tags', readBcsTags, (detail) => {
          return new QuiltError('MALFORMED_QUILT', `failed to decode extension tags: ${detail}`);
        });
  if (patch.identifier !== undefined && identifier !== patch.identifier) {
    throw malformed(`the patch in columns ${patch.startColumn}..${patch.endColumn} is ${JSON.stringify(identifier)}, the index says ${JSON.stringify(patch.identifier)}`);
  }
  return { data: body.subarray(offset), identifier, tags };
}
