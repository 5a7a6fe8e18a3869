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
   * blob, which must not change while the slivers are in use.
   */
  primarySliver(index: number): Uint8Array;
  /**
   * Secondary sliver j (p symbols): column j; pair i carries secondary n−1−i. Systematic columns
   * are gathered from the blob when asked for, so they cost no memory until sent.
   */
  secondarySliver(index: number): Uint8Array;
}

/**
 * Encodes a blob exactly as Walrus' `encode_with_metadata` does: the secondary code expands every
 * row to n symbols, the primary code expands every column to n symbols, and every symbol of the
 * resulting n×n matrix is a leaf of its row's and its column's Merkle tree.
 */
export function encodeBlob(blob: Uint8Array, params: EncodingParams, kernel: CodecKernel): EncodedBlob {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const ss = params.symbolSize(blob.length);
  const matrix = new MessageMatrix(blob, p, s, ss);

  // Repair rows (primary slivers p..n−1) share one buffer so their leaves hash in one kernel call.
  const repairRows = new Uint8Array((n - p) * s * ss);
  const repairColumns = new Uint8Array((n - s) * p * ss);
  const repairRow = (i: number) => repairRows.subarray((i - p) * s * ss, (i - p + 1) * s * ss);
  const repairColumn = (j: number) => repairColumns.subarray((j - s) * p * ss, (j - s + 1) * p * ss);

  const leaves = new LeafHashes(n, ss, kernel);
  for (const run of matrix.rowRuns()) leaves.hashBlock(run.bytes, run.rows, s, run.firstRow, 0);
  encodeRows(matrix, repairColumns, params, ss, kernel);
  for (let c = s; c < n; c++) leaves.hashColumn(repairColumn(c), p, 0, c);
  encodeColumns(matrix, repairRows, repairColumns, leaves, params, ss, kernel);
  leaves.hashBlock(repairRows, n - p, s, p, 0);

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
  return {
    params,
    symbolSize: ss,
    blobId: deriveBlobId(rootHash, blob.length),
    rootHash,
    metadata,
    primarySliver: (i) => (i < p ? matrix.row(i) : repairRow(i)),
    secondarySliver: (j) => (j < s ? matrix.column(j) : repairColumn(j)),
  };
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

/**
 * Primary code on each of the n columns: recovery symbol k of column c is matrix symbol (p+k, c).
 * Columns < s land in the repair rows (primary slivers p..n−1); the rest is only hashed, never kept.
 */
function encodeColumns(
  matrix: MessageMatrix,
  repairRows: Uint8Array,
  repairColumns: Uint8Array,
  leaves: LeafHashes,
  params: EncodingParams,
  ss: number,
  kernel: CodecKernel,
): void {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const code = new ReedSolomonCode(p, n - p, kernel);
  const positions = code.encodeWorkPositions;
  const elements = ss / 2;
  const rowBytes = s * ss;
  const work = allocateWork(n, elements, positions);
  for (const group of workGroups(n, elements, positions)) {
    work.fill(0, 0, positions * group.vecBytes);
    for (let c = group.start; c < group.end; c++) {
      const at = (c - group.start) * elements;
      if (c < s) matrix.packColumn(kernel, c, 0, p, work, at, group.vecElements);
      else kernel.packSymbols(repairColumns, (c - s) * p * ss, ss, ss, p, work, at, group.vecElements);
    }
    code.encode(work, group.vecBytes);

    const kept = Math.min(group.end, s) - group.start;
    const dropStart = Math.max(group.start, s);
    const dropped = group.end - dropStart;
    const droppedSymbols = scratch('dropped-symbols', Math.max(0, dropped) * (n - p) * ss);
    for (let k = 0; k < n - p; k++) {
      const rowStart = k * group.vecElements;
      if (kept > 0) kernel.unpackSymbols(work, rowStart, elements, ss, kept, repairRows, k * rowBytes + group.start * ss, ss);
      if (dropped > 0) {
        kernel.unpackSymbols(work, rowStart + (dropStart - group.start) * elements, elements, ss, dropped, droppedSymbols, k * dropped * ss, ss);
      }
    }
    if (dropped > 0) leaves.hashBlock(droppedSymbols, n - p, dropped, p, dropStart);
  }
}
