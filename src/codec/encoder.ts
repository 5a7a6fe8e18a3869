import { deriveBlobId, secondarySliverIndex } from './blob-id.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import { computeRootHash, type BlobMetadata, type SliverPairHashes } from './metadata.ts';
import { DIGEST_LENGTH, ENCODING_TYPE_RS2, EncodingParams } from './params.ts';
import { ReedSolomonCode } from './reed-solomon/code.ts';
import { allocateWork, workGroups } from './work-groups.ts';
import { MessageMatrix } from './message-matrix.ts';
import { LeafHashes } from './leaf-hashes.ts';

/** A blob encoded with RS2: its n primary and n secondary slivers and the metadata that commit to them. */
export interface EncodedBlob {
  readonly params: EncodingParams;
  readonly symbolSize: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly metadata: BlobMetadata;
  /** Primary sliver i (sliver index i), s symbols each. */
  readonly primarySlivers: readonly Uint8Array[];
  /** Secondary sliver j (sliver index j), p symbols each; pair i carries secondary n−1−i. */
  readonly secondarySlivers: readonly Uint8Array[];
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

  const primarySlivers: Uint8Array[] = [];
  for (let i = 0; i < p; i++) primarySlivers.push(matrix.row(i));
  // The repair rows share one buffer so that their leaves hash in one kernel call.
  const repairRows = new Uint8Array((n - p) * s * ss);
  for (let i = p; i < n; i++) primarySlivers.push(repairRows.subarray((i - p) * s * ss, (i - p + 1) * s * ss));
  const secondarySlivers: Uint8Array[] = [];
  for (let j = 0; j < n; j++) secondarySlivers.push(new Uint8Array(p * ss));
  matrix.copyColumnsInto(secondarySlivers);

  const leaves = new LeafHashes(n, ss, kernel);
  for (const run of matrix.rowRuns()) leaves.hashBlock(run.bytes, run.rows, s, run.firstRow, 0);
  encodeRows(matrix, secondarySlivers, params, ss, kernel);
  for (let c = s; c < n; c++) leaves.hashColumn(secondarySlivers[c], p, 0, c);
  encodeColumns(matrix, repairRows, secondarySlivers, leaves, params, ss, kernel);
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
    primarySlivers,
    secondarySlivers,
  };
}

/** Secondary code on each row: recovery symbol k of row r is matrix symbol (r, s+k), kept in secondary sliver s+k. */
function encodeRows(matrix: MessageMatrix, secondarySlivers: Uint8Array[], params: EncodingParams, ss: number, kernel: CodecKernel): void {
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
      kernel.unpackSymbols(work, k * group.vecElements, elements, ss, rows, secondarySlivers[s + k], group.start * ss, ss);
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
  secondarySlivers: Uint8Array[],
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
  let scratch = new Uint8Array(0);
  for (const group of workGroups(n, elements, positions)) {
    work.fill(0, 0, positions * group.vecBytes);
    for (let c = group.start; c < group.end; c++) {
      const at = (c - group.start) * elements;
      if (c < s) matrix.packColumn(kernel, c, 0, p, work, at, group.vecElements);
      else kernel.packSymbols(secondarySlivers[c], 0, ss, ss, p, work, at, group.vecElements);
    }
    code.encode(work, group.vecBytes);

    const kept = Math.min(group.end, s) - group.start;
    const dropStart = Math.max(group.start, s);
    const dropped = group.end - dropStart;
    if (dropped > 0 && scratch.length < (n - p) * dropped * ss) scratch = new Uint8Array((n - p) * dropped * ss);
    for (let k = 0; k < n - p; k++) {
      const rowStart = k * group.vecElements;
      if (kept > 0) kernel.unpackSymbols(work, rowStart, elements, ss, kept, repairRows, k * rowBytes + group.start * ss, ss);
      if (dropped > 0) {
        kernel.unpackSymbols(work, rowStart + (dropStart - group.start) * elements, elements, ss, dropped, scratch, k * dropped * ss, ss);
      }
    }
    if (dropped > 0) leaves.hashBlock(scratch, n - p, dropped, p, dropStart);
  }
}
