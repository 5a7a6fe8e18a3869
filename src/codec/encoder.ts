import { deriveBlobId, secondarySliverIndex } from './blob-id.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import { computeRootHash, type BlobMetadata, type SliverPairHashes } from './metadata.ts';
import { DIGEST_LENGTH, ENCODING_TYPE_RS2, EncodingParams } from './params.ts';
import { ReedSolomonCode } from './reed-solomon/code.ts';
import { allocateWork, workGroups } from './work-groups.ts';
import { MessageMatrix } from './message-matrix.ts';
import { LeafHashes } from './leaf-hashes.ts';
import { scratch } from './scratch.ts';

/** A blob encoded with RS2: its n primary and n secondary slivers and the metadata that commit to them. */
export interface EncodedBlob {
  readonly params: EncodingParams;
  readonly symbolSize: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly metadata: BlobMetadata;
  /**
   * Primary sliver i (s symbols): row i of the expanded matrix. Systematic rows are views of the
   * blob, which must not change while the slivers are in use. A repair row (i ≥ p) must be in the
   * loaded chunk (see {@link repairRowChunks}); others throw a RangeError.
   */
  primarySliver(index: number): Uint8Array;
  /**
   * The repair rows (primary slivers p..n−1) in chunks of consecutive sliver indices, of which one
   * is held in memory at a time. One chunk unless `repairRowBudget` asked for less memory.
   */
  readonly repairRowChunks: readonly { readonly start: number; readonly end: number }[];
  /** Holds chunk k's repair rows, regenerating them (one RS pass over the columns) unless already held. */
  loadRepairRows(chunk: number): void;
  /** Drops the held repair rows of a chunked encoding (a single chunk is kept: it cost the encode nothing extra). */
  releaseRepairRows(): void;
  /**
   * Secondary sliver j (p symbols): column j; pair i carries secondary n−1−i. Systematic columns
   * are gathered from the blob when asked for, so they cost no memory until sent.
   */
  secondarySliver(index: number): Uint8Array;
}

export interface EncodeOptions {
  /**
   * Most bytes of repair rows (2× the blob at large n) to hold at once. Above it, the encode only
   * hashes them, and they are regenerated chunk by chunk when sent: memory for time.
   */
  readonly repairRowBudget?: number;
}

/**
 * Encodes a blob exactly as Walrus' `encode_with_metadata` does: the secondary code expands every
 * row to n symbols, the primary code expands every column to n symbols, and every symbol of the
 * resulting n×n matrix is a leaf of its row's and its column's Merkle tree.
 */
export function encodeBlob(blob: Uint8Array, params: EncodingParams, kernel: CodecKernel, options: EncodeOptions = {}): EncodedBlob {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const ss = params.symbolSize(blob.length);
  const matrix = new MessageMatrix(blob, p, s, ss);
  const rowBytes = s * ss;
  const chunks = repairRowChunks(p, n, rowBytes, options.repairRowBudget ?? Infinity);

  // With one chunk, repair rows (primary slivers p..n−1) share one buffer so their leaves hash in one kernel call.
  let repairRows: { chunk: number; rows: Uint8Array } | undefined = chunks.length === 1 ? { chunk: 0, rows: new Uint8Array((n - p) * rowBytes) } : undefined;
  const repairColumns = new Uint8Array((n - s) * p * ss);
  const repairColumn = (j: number) => repairColumns.subarray((j - s) * p * ss, (j - s + 1) * p * ss);

  const leaves = new LeafHashes(n, ss, kernel);
  for (const run of matrix.rowRuns()) leaves.hashBlock(run.bytes, run.rows, s, run.firstRow, 0);
  encodeRows(matrix, repairColumns, params, ss, kernel);
  for (let c = s; c < n; c++) leaves.hashColumn(repairColumn(c), p, 0, c);
  encodeColumns(matrix, repairColumns, params, ss, kernel, {
    keptRows: repairRows?.rows,
    hashDropped: (symbols, columns, firstColumn) => leaves.hashBlock(symbols, n - p, columns, p, firstColumn),
  });
  if (repairRows) leaves.hashBlock(repairRows.rows, n - p, s, p, 0);

  const primaryRoots = new Uint8Array(n * DIGEST_LENGTH);
  const columnRoots = new Uint8Array(n * DIGEST_LENGTH);
  kernel.merkleRoots(leaves.hashes, n, n, n, 1, primaryRoots);
  kernel.merkleRoots(leaves.hashes, n, n, 1, n, columnRoots);
  const hashes: SliverPairHashes[] = [];
  for (let i = 0; i < n; i++) {
    const column = secondarySliverIndex(i, n);
    hashes.push({
      primary: primaryRoots.slice(i * DIGEST_LENGTH, (i + 1) * DIGEST_LENGTH),
      secondary: columnRoots.slice(column * DIGEST_LENGTH, (column + 1) * DIGEST_LENGTH),
    });
  }
  const metadata: BlobMetadata = { encodingType: ENCODING_TYPE_RS2, unencodedLength: blob.length, hashes };
  const rootHash = computeRootHash(metadata, kernel);
  const loadRepairRows = (chunk: number) => {
    if (repairRows?.chunk === chunk) return;
    const { start, end } = chunks[chunk];
    repairRows = undefined; // the old chunk's memory may go before the new one is made
    const rows = new Uint8Array((end - start) * rowBytes);
    encodeColumns(matrix, repairColumns, params, ss, kernel, { keptRows: rows, keptRowRange: { start: start - p, end: end - p } });
    repairRows = { chunk, rows };
  };
  const repairRow = (i: number) => {
    const chunk = repairRows === undefined ? undefined : chunks[repairRows.chunk];
    if (repairRows === undefined || chunk === undefined || i < chunk.start || i >= chunk.end) throw new RangeError(`primary sliver ${i} is a repair row outside the loaded chunk`);
    return repairRows.rows.subarray((i - chunk.start) * rowBytes, (i - chunk.start + 1) * rowBytes);
  };
  return {
    params,
    symbolSize: ss,
    blobId: deriveBlobId(rootHash, blob.length),
    rootHash,
    metadata,
    primarySliver: (i) => (i < p ? matrix.row(i) : repairRow(i)),
    secondarySliver: (j) => (j < s ? matrix.column(j) : repairColumn(j)),
    repairRowChunks: chunks,
    loadRepairRows,
    releaseRepairRows: () => {
      if (chunks.length > 1) repairRows = undefined;
    },
  };
}

/** Splits repair rows p..n−1 into the fewest chunks of consecutive rows within `budget` bytes. */
function repairRowChunks(p: number, n: number, rowBytes: number, budget: number): { start: number; end: number }[] {
  const rowsPerChunk = Math.max(1, Math.min(n - p, Math.floor(budget / rowBytes)));
  const chunks = [];
  for (let start = p; start < n; start += rowsPerChunk) chunks.push({ start, end: Math.min(n, start + rowsPerChunk) });
  return chunks;
}

/**
 * Secondary code on each row: recovery symbol k of row r is matrix symbol (r, s+k), kept in the
 * repair columns (secondary slivers s..n−1, p symbols each).
 */
function encodeRows(matrix: MessageMatrix, repairColumns: Uint8Array, params: EncodingParams, ss: number, kernel: CodecKernel): void {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const code = new ReedSolomonCode(s, n - s, kernel);
  const positions = code.encodeWorkPositions;
  const elements = ss / 2;
  const work = allocateWork(p, elements, positions);
  for (const group of workGroups(p, elements, positions)) {
    const rows = group.end - group.start;
    work.fill(0, 0, positions * group.vecBytes);
    for (let c = 0; c < s; c++) {
      matrix.packColumn(kernel, c, group.start, group.end, work, c * group.vecElements, elements);
    }
    code.encode(work, group.vecBytes);
    for (let k = 0; k < n - s; k++) {
      kernel.unpackSymbols(work, k * group.vecElements, elements, ss, rows, repairColumns, (k * p + group.start) * ss, ss);
    }
  }
}

interface ColumnPass {
  /** Where repair rows go: row-major, rows `keptRowRange` (default all n−p) of columns < s. */
  readonly keptRows?: Uint8Array;
  readonly keptRowRange?: { readonly start: number; readonly end: number };
  /**
   * Receives the repair symbols not kept — all n−p rows of `columns` columns from `firstColumn`,
   * row-major — to hash them. Without it, only columns < s are coded.
   */
  readonly hashDropped?: (symbols: Uint8Array, columns: number, firstColumn: number) => void;
}

/**
 * Primary code on the columns: recovery symbol k of column c is matrix symbol (p+k, c). Columns
 * < s hold the repair rows (primary slivers p..n−1): kept in `keptRows` when given, otherwise
 * handed to `hashDropped` with the columns ≥ s, which are only ever hashed.
 */
function encodeColumns(matrix: MessageMatrix, repairColumns: Uint8Array, params: EncodingParams, ss: number, kernel: CodecKernel, pass: ColumnPass): void {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const code = new ReedSolomonCode(p, n - p, kernel);
  const positions = code.encodeWorkPositions;
  const elements = ss / 2;
  const rowBytes = s * ss;
  const columnCount = pass.hashDropped ? n : s;
  const keptEnd = pass.keptRows ? s : 0;
  const keptRange = pass.keptRowRange ?? { start: 0, end: n - p };
  const work = allocateWork(columnCount, elements, positions);
  for (const group of workGroups(columnCount, elements, positions)) {
    work.fill(0, 0, positions * group.vecBytes);
    for (let c = group.start; c < group.end; c++) {
      const at = (c - group.start) * elements;
      if (c < s) matrix.packColumn(kernel, c, 0, p, work, at, group.vecElements);
      else kernel.packSymbols(repairColumns, (c - s) * p * ss, ss, ss, p, work, at, group.vecElements);
    }
    code.encode(work, group.vecBytes);

    const kept = Math.max(0, Math.min(group.end, keptEnd) - group.start);
    if (kept > 0) {
      for (let k = keptRange.start; k < keptRange.end; k++) {
        kernel.unpackSymbols(work, k * group.vecElements, elements, ss, kept, pass.keptRows!, (k - keptRange.start) * rowBytes + group.start * ss, ss);
      }
    }
    const dropStart = group.start + kept;
    const dropped = group.end - dropStart;
    if (dropped > 0 && pass.hashDropped) {
      const droppedSymbols = scratch('dropped-symbols', dropped * (n - p) * ss);
      for (let k = 0; k < n - p; k++) {
        kernel.unpackSymbols(work, k * group.vecElements + (dropStart - group.start) * elements, elements, ss, dropped, droppedSymbols, k * dropped * ss, ss);
      }
      pass.hashDropped(droppedSymbols, dropped, dropStart);
    }
  }
}
