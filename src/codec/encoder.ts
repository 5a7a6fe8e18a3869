import type { CodecKernel } from './kernel/kernel.ts';
import type { BlobMetadata } from './metadata.ts';
import { EncodingParams } from './params.ts';
import { MessageMatrix } from './message-matrix.ts';
import { LeafHashes } from './leaf-hashes.ts';
import { encodeColumns, encodeRows, type ColumnSource } from './axis-coding.ts';
import { encodeSliver, type SliverType } from './sliver.ts';

/**
 * What an upload needs of an encoded blob, wherever its slivers live: in memory
 * ({@link encodeBlob}) or in the file the blob was spooled to (`file-encoder.ts`).
 */
export interface EncodedSlivers {
  readonly params: EncodingParams;
  readonly symbolSize: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly metadata: BlobMetadata;
  /**
   * The repair rows (primary slivers p..n−1) in chunks of consecutive sliver indices, of which one
   * is held in memory at a time. One chunk unless `repairRowBudget` asked for less memory.
   */
  readonly repairRowChunks: readonly RepairRowChunk[];
  /**
   * Holds chunk k's repair rows, regenerating them (one RS pass over the columns, here or on a
   * codec worker) unless already held; the chunk is held once the promise settles.
   */
  loadRepairRows(chunk: number): Promise<void>;
  /** Drops the held repair rows of a chunked encoding (a single chunk is kept: it cost the encode nothing extra). */
  releaseRepairRows(): void;
  /**
   * The BCS `SliverData` of sliver `index` of `type`, as PUT to a storage node (sliver index, not
   * pair index). A primary repair row must be in the loaded chunk. Made when asked for, so an upload
   * holds only the slivers it is sending.
   */
  sliverBcs(type: SliverType, index: number): Promise<Uint8Array>;
  /**
   * Keeps the slivers readable until the returned function is called (once; later calls do
   * nothing): a file-backed encoding closes its file only when every holder has let go. An upload
   * holds it while any node may still ask for a sliver, stragglers included.
   */
  hold(): () => void;
}

/** A blob encoded with RS2 in memory: its n primary and n secondary slivers and the metadata that commit to them. */
export interface EncodedBlob extends EncodedSlivers {
  /**
   * Primary sliver i (s symbols): row i of the expanded matrix. Systematic rows are views of the
   * blob, which must not change while the slivers are in use. A repair row (i ≥ p) must be in the
   * loaded chunk (see {@link repairRowChunks}); others throw a RangeError.
   */
  primarySliver(index: number): Uint8Array;
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

/** A run of consecutive repair rows (primary sliver indices), held in memory as one unit. */
export interface RepairRowChunk {
  readonly start: number;
  readonly end: number;
}

/** What every encode commits to, in memory or in a file: what a codec worker hands back at least. */
export interface EncodingCommitments {
  readonly symbolSize: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly metadata: BlobMetadata;
}

/**
 * What an encode computes beyond the blob itself, as plain buffers: a codec worker
 * (`codec-workers.ts`) hands these back to the event loop by transfer, not by copy.
 */
export interface BlobEncoding extends EncodingCommitments {
  /** Secondary slivers s..n−1 (the repair columns), p symbols each, back to back. */
  readonly repairColumns: Uint8Array;
  /** Every repair row (p..n−1) when they fit one chunk, kept from the encode; else regenerated chunk by chunk. */
  readonly repairRows: Uint8Array | undefined;
}

/** Makes a chunk's repair rows from the blob: here ({@link regenerateRepairRows}) or on a codec worker. */
export type RepairRowSource = (chunk: RepairRowChunk) => Uint8Array | Promise<Uint8Array>;

/**
 * Encodes a blob exactly as Walrus' `encode_with_metadata` does: the secondary code expands every
 * row to n symbols, the primary code expands every column to n symbols, and every symbol of the
 * resulting n×n matrix is a leaf of its row's and its column's Merkle tree.
 */
export function encodeBlob(blob: Uint8Array, params: EncodingParams, kernel: CodecKernel, options: EncodeOptions = {}): EncodedBlob {
  const encoding = computeEncoding(blob, params, kernel, options);
  return encodedBlob(blob, params, encoding, repairRowChunksFor(params, blob.length, options), (chunk) => regenerateRepairRows(blob, params, kernel, chunk));
}

/** The encode itself ({@link encodeBlob} without the sliver accessors): what a codec worker runs. */
export function computeEncoding(blob: Uint8Array, params: EncodingParams, kernel: CodecKernel, options: EncodeOptions = {}): BlobEncoding {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const ss = params.symbolSize(blob.length);
  const matrix = new MessageMatrix(blob, p, s, ss);
  const rowBytes = s * ss;
  const chunks = repairRowChunksFor(params, blob.length, options);

  // With one chunk, repair rows (primary slivers p..n−1) share one buffer so their leaves hash in one kernel call.
  const repairRows = chunks.length === 1 ? new Uint8Array((n - p) * rowBytes) : undefined;
  const repairColumns = new Uint8Array((n - s) * p * ss);
  const repairColumn = (j: number) => repairColumns.subarray((j - s) * p * ss, (j - s + 1) * p * ss);

  const leaves = new LeafHashes(n, ss, kernel);
  for (const run of matrix.rowRuns()) leaves.hashBlock(run.bytes, run.rows, s, run.firstRow, 0);
  encodeRows(matrix, repairColumns, params, kernel);
  for (let c = s; c < n; c++) leaves.hashColumn(repairColumn(c), p, 0, c);
  encodeColumns(allColumns(matrix, repairColumns, params, ss, kernel, n), params, ss, kernel, {
    kept: repairRows && { rows: repairRows, rowStride: rowBytes, firstColumn: 0 },
    hashDropped: (symbols, count, firstColumn) => leaves.hashBlock(symbols, n - p, count, p, firstColumn),
  });
  if (repairRows) leaves.hashBlock(repairRows, n - p, s, p, 0);
  return { symbolSize: ss, ...leaves.commitments(blob.length), repairColumns, repairRows };
}

/**
 * Repair rows `chunk.start…chunk.end − 1` of `blob`, one RS pass over its s systematic columns
 * (the repair columns' symbols of those rows are never sent, so they are not made).
 */
export function regenerateRepairRows(blob: Uint8Array, params: EncodingParams, kernel: CodecKernel, chunk: RepairRowChunk): Uint8Array {
  const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const ss = params.symbolSize(blob.length);
  const rowBytes = s * ss;
  const matrix = new MessageMatrix(blob, p, s, ss);
  const rows = new Uint8Array((chunk.end - chunk.start) * rowBytes);
  encodeColumns(allColumns(matrix, new Uint8Array(0), params, ss, kernel, s), params, ss, kernel, {
    kept: { rows, rowStride: rowBytes, firstColumn: 0, rowRange: { start: chunk.start - p, end: chunk.end - p } },
  });
  return rows;
}

/** Columns 0…end−1 of the expanded rows: those < s from the blob, the repair columns from the row pass. */
function allColumns(matrix: MessageMatrix, repairColumns: Uint8Array, params: EncodingParams, ss: number, kernel: CodecKernel, end: number): ColumnSource {
  const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  return {
    start: 0,
    end,
    pack: (c, dst, at, stride) => (c < s ? matrix.packColumn(kernel, c, 0, p, dst, at, stride) : kernel.packSymbols(repairColumns, (c - s) * p * ss, ss, ss, p, dst, at, stride)),
  };
}

/**
 * The slivers of `blob` over an encoding of it. `regenerate` makes a chunk's repair rows when the
 * encoding did not keep them; it may be asynchronous (a codec worker), and then so is
 * {@link EncodedSlivers.loadRepairRows}.
 */
export function encodedBlob(blob: Uint8Array, params: EncodingParams, encoding: BlobEncoding, chunks: readonly RepairRowChunk[], regenerate: RepairRowSource): EncodedBlob {
  const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const { symbolSize: ss, repairColumns } = encoding;
  const matrix = new MessageMatrix(blob, p, s, ss);
  const rowBytes = s * ss;
  let repairRows: { chunk: number; rows: Uint8Array } | undefined = encoding.repairRows && { chunk: 0, rows: encoding.repairRows };
  const repairColumn = (j: number) => repairColumns.subarray((j - s) * p * ss, (j - s + 1) * p * ss);

  const loadRepairRows = async (chunk: number): Promise<void> => {
    if (repairRows?.chunk === chunk) return;
    repairRows = undefined; // the old chunk's memory may go before the new one is made
    repairRows = { chunk, rows: await regenerate(chunks[chunk]) };
  };
  const repairRow = (i: number) => {
    const chunk = repairRows === undefined ? undefined : chunks[repairRows.chunk];
    if (repairRows === undefined || chunk === undefined || i < chunk.start || i >= chunk.end) throw new RangeError(`primary sliver ${i} is a repair row outside the loaded chunk`);
    return repairRows.rows.subarray((i - chunk.start) * rowBytes, (i - chunk.start + 1) * rowBytes);
  };
  const primarySliver = (i: number) => (i < p ? matrix.row(i) : repairRow(i));
  const secondarySliver = (j: number) => (j < s ? matrix.column(j) : repairColumn(j));
  return {
    params,
    ...commitmentsOf(encoding),
    primarySliver,
    secondarySliver,
    repairRowChunks: chunks,
    loadRepairRows,
    releaseRepairRows: () => {
      if (chunks.length > 1) repairRows = undefined;
    },
    sliverBcs: async (type, index) => encodeSliver({ type, index, symbolSize: ss, data: type === 'primary' ? primarySliver(index) : secondarySliver(index) }),
    // The slivers live in memory the garbage collector frees once nobody refers to them.
    hold: () => () => {},
  };
}

/** The commitments alone of an encoding (not its buffers, which an EncodedSlivers must not expose). */
export function commitmentsOf({ symbolSize, blobId, rootHash, metadata }: EncodingCommitments): EncodingCommitments {
  return { symbolSize, blobId, rootHash, metadata };
}

/** The repair-row chunks of a `blobLength`-byte blob's encoding under `options.repairRowBudget`. */
export function repairRowChunksFor(params: EncodingParams, blobLength: number, options: EncodeOptions = {}): RepairRowChunk[] {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  return repairRowChunks(p, n, s * params.symbolSize(blobLength), options.repairRowBudget ?? Infinity);
}

/** Splits repair rows p..n−1 into the fewest chunks of consecutive rows within `budget` bytes. */
function repairRowChunks(p: number, n: number, rowBytes: number, budget: number): RepairRowChunk[] {
  const rowsPerChunk = Math.max(1, Math.min(n - p, Math.floor(budget / rowBytes)));
  const chunks: RepairRowChunk[] = [];
  for (let start = p; start < n; start += rowsPerChunk) chunks.push({ start, end: Math.min(n, start + rowsPerChunk) });
  return chunks;
}
