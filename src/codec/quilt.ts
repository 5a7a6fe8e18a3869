/**
 * QuiltV1, the format that packs many small files into one Walrus blob (docs/protocol.md §2.7): a
 * pure codec, no I/O. Encoding is in quilt-encoding.ts, reading in quilt-index.ts, patch IDs in
 * quilt-patch-id.ts and the shared wire facts in quilt-format.ts; import from here.
 */
export { QuiltError, type QuiltErrorCode } from './errors.ts';
export {
  BLOB_TYPE_ATTRIBUTE_KEY,
  MAX_QUILT_IDENTIFIER_BYTES,
  MAX_QUILT_INDEX_COLUMNS,
  QUILT_BLOB_ATTRIBUTES,
  QUILT_BLOB_TYPE,
  QUILT_VERSION_V1,
  quiltColumns,
  quiltLayout,
  validateQuiltIdentifier,
  type QuiltInput,
  type QuiltLayout,
  type QuiltPatch,
  type QuiltTags,
} from './quilt-format.ts';
export { encodeQuiltV1, type EncodedQuilt } from './quilt-encoding.ts';
export { extractQuiltPatch, parseQuiltIndex, type ExtractedQuiltPatch, type QuiltIndexParse, type QuiltPatchRange } from './quilt-index.ts';
export { encodeQuiltPatchId, parseQuiltPatchId, QUILT_PATCH_ID_TEXT_LENGTH, type QuiltPatchIdParts } from './quilt-patch-id.ts';
