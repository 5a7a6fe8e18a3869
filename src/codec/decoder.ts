import { equalBytes } from './bytes.ts';
import { DecodingError, InconsistentBlobError } from './errors.ts';
import { encodeBlob } from './encoder.ts';
import { expandedSliverRoots } from './expansion.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import type { BlobMetadataWithId } from './metadata.ts';
import { DIGEST_LENGTH, EncodingParams } from './params.ts';
import { ReedSolomonCode } from './reed-solomon/code.ts';
import type { Sliver, SliverType } from './sliver.ts';
import { allocateWork, workGroups, type WorkGroup } from './work-groups.ts';

/**
 * How much to re-check a decoded blob, as the reference's `decode_and_verify`:
 * - `default`: re-hash every systematic primary sliver that was not fetched and verified;
 * - `strict`: re-encode the whole blob and compare the blob ID;
 * - `skip`: trust the verified slivers alone.
 */
export type ConsistencyCheck = 'default' | 'strict' | 'skip';

export interface DecodeOptions {
  readonly consistencyCheck?: ConsistencyCheck;
  /** Whether the given slivers were each verified against the metadata already. */
  readonly sliversVerified?: boolean;
}

/** Picks `needed` distinct slivers of one type, systematic ones (index < sourceCount) first. */
function chooseSlivers(slivers: readonly Sliver[], type: SliverType, needed: number, sourceCount: number): Sliver[] {
  const byIndex = new Map<number, Sliver>();
  for (const sliver of slivers) {
    if (sliver.type !== type) throw new DecodingError(`expected ${type} slivers, got a ${sliver.type} sliver`);
    if (!byIndex.has(sliver.index)) byIndex.set(sliver.index, sliver);
  }
  if (byIndex.size < needed) throw new DecodingError(`need ${needed} distinct ${type} slivers, have ${byIndex.size}`);
  const distinct = [...byIndex.values()];
  const systematic = distinct.filter((sliver) => sliver.index < sourceCount);
  const repair = distinct.filter((sliver) => sliver.index >= sourceCount);
  return [...systematic, ...repair].slice(0, needed);
}

function checkSliverSizes(slivers: readonly Sliver[], symbolSize: number, symbols: number): void {
  for (const sliver of slivers) {
    if (sliver.symbolSize !== symbolSize || sliver.data.length !== symbols * symbolSize) {
      throw new DecodingError(`${sliver.type} sliver ${sliver.index} has the wrong size for this blob`);
    }
  }
}

/** Where one recovered original goes: `count` symbols of the group, written by `write`. */
type WriteOriginal = (index: number, group: WorkGroup, work: Uint8Array, firstElement: number) => void;

/**
 * Decodes one axis. The slivers (all of one type) are codewords of `code`, sliver i at codeword
 * position i; each group of symbol indices within them is decoded at once, and every original
 * not among the slivers is handed to `write`. Received originals are left to the caller.
 */
function decodeAxis(code: ReedSolomonCode, slivers: readonly Sliver[], symbolsPerSliver: number, ss: number, kernel: CodecKernel, write: WriteOriginal): void {
  const positions = code.decodeWorkPositions;
  const elements = ss / 2;
  const sourceCount = code.originalCount;
  const positionOf = (index: number) => (index < sourceCount ? code.originalPosition(index) : code.recoveryPosition(index - sourceCount));
  const received = new Uint8Array(positions);
  for (const sliver of slivers) received[positionOf(sliver.index)] = 1;
  const plan = code.planDecode(received);
  if (!plan) return;
  const work = allocateWork(symbolsPerSliver, elements, positions);
  for (const group of workGroups(symbolsPerSliver, elements, positions)) {
    work.fill(0, 0, positions * group.vecBytes);
    for (const sliver of slivers) {
      const at = positionOf(sliver.index) * group.vecElements;
      kernel.packSymbols(sliver.data, group.start * ss, ss, ss, group.end - group.start, work, at, elements);
    }
    code.decode(work, group.vecBytes, plan);
    for (let i = 0; i < sourceCount; i++) {
      const pos = code.originalPosition(i);
      if (!received[pos]) write(i, group, work, pos * group.vecElements);
    }
  }
}

/**
 * Rebuilds the p×s message matrix from any p primary slivers (rows). With all systematic rows
 * 0..p−1 present it is their concatenation; otherwise each column is decoded with the primary code.
 */
function decodeRows(slivers: Sliver[], params: EncodingParams, ss: number, kernel: CodecKernel): Uint8Array {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const matrix = new Uint8Array(p * s * ss);
  const rowBytes = s * ss;
  if (!slivers.every((sliver) => sliver.index < p)) {
    decodeAxis(new ReedSolomonCode(p, n - p, kernel), slivers, s, ss, kernel, (r, group, work, firstElement) => {
      const at = r * rowBytes + group.start * ss;
      kernel.unpackSymbols(work, firstElement, ss / 2, ss, group.end - group.start, matrix, at, ss);
    });
  }
  for (const sliver of slivers) if (sliver.index < p) matrix.set(sliver.data, sliver.index * rowBytes);
  return matrix;
}

/** Rebuilds the message matrix from any s secondary slivers (columns) with the secondary code. */
function decodeColumns(slivers: Sliver[], params: EncodingParams, ss: number, kernel: CodecKernel): Uint8Array {
  return rowsFromColumns(slivers, params.primarySourceSymbols, params, ss, kernel);
}

/**
 * `rowCount` rows of the message matrix, row-major, from s secondary slivers that each hold those
 * rows' symbols in the same order (whole columns hold all p rows; a streamed read that lost a few
 * rows keeps only theirs). Each row is one codeword of the secondary code, so any s columns do.
 */
function rowsFromColumns(slivers: readonly Sliver[], rowCount: number, params: EncodingParams, ss: number, kernel: CodecKernel): Uint8Array {
  const { n, secondarySourceSymbols: s } = params;
  const rows = new Uint8Array(rowCount * s * ss);
  decodeAxis(new ReedSolomonCode(s, n - s, kernel), slivers, rowCount, ss, kernel, (c, group, work, firstElement) => {
    kernel.unpackSymbols(work, firstElement, ss / 2, ss, group.end - group.start, rows, (group.start * s + c) * ss, s * ss);
  });
  // A received systematic column is column `index` of the row-major matrix: one symbol per row.
  for (const { index, data } of slivers) {
    if (index >= s) continue;
    for (let r = 0; r < rowCount; r++) rows.set(data.subarray(r * ss, (r + 1) * ss), (r * s + index) * ss);
  }
  return rows;
}

/**
 * Systematic rows (primary slivers 0…p−1) of a blob with `ss`-byte symbols, from s distinct
 * secondary slivers cut down to those rows' symbols, in the order of `rows`: symbol q of each
 * column is row `rows[q]`'s. Returns the rows concatenated in that order. The caller verifies
 * the rows against the metadata; this only decodes.
 */
export function decodeRowsFromColumns(columns: readonly Sliver[], rowCount: number, params: EncodingParams, ss: number, kernel: CodecKernel): Uint8Array {
  const { secondarySourceSymbols: s } = params;
  const chosen = chooseSlivers(columns, 'secondary', s, s);
  checkSliverSizes(chosen, ss, rowCount);
  return rowsFromColumns(chosen, rowCount, params, ss, kernel);
}

/**
 * Only the systematic rows `wanted` of the message matrix, from any p distinct primary slivers:
 * received ones as they are, the others decoded column by column with the primary code — without
 * building the whole p×s matrix. The caller verifies decoded rows against the metadata.
 */
export function decodeSelectedRows(slivers: readonly Sliver[], wanted: readonly number[], params: EncodingParams, ss: number, kernel: CodecKernel): Map<number, Uint8Array> {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const chosen = chooseSlivers(slivers, 'primary', p, p);
  checkSliverSizes(chosen, ss, s);
  const received = new Map(chosen.filter((sliver) => sliver.index < p).map((sliver) => [sliver.index, sliver.data]));
  const rows = new Map<number, Uint8Array>();
  const missing = new Map<number, Uint8Array>();
  for (const row of wanted) {
    const data = received.get(row);
    if (data) rows.set(row, data);
    else if (!missing.has(row)) missing.set(row, new Uint8Array(s * ss));
  }
  if (missing.size > 0) {
    decodeAxis(new ReedSolomonCode(p, n - p, kernel), chosen, s, ss, kernel, (r, group, work, firstElement) => {
      const row = missing.get(r);
      if (row) kernel.unpackSymbols(work, firstElement, ss / 2, ss, group.end - group.start, row, group.start * ss, ss);
    });
    for (const [index, row] of missing) rows.set(index, row);
  }
  return rows;
}

/**
 * Decodes a blob from slivers of one type — at least p primary or s secondary slivers — and runs
 * the requested consistency check against the (already verified) metadata. The result is a view
 * of the rebuilt p×s·ss matrix; a caller that keeps small blobs long (a cache) should copy it.
 */
export function decodeBlob(
  { blobId, metadata }: BlobMetadataWithId,
  slivers: readonly Sliver[],
  params: EncodingParams,
  kernel: CodecKernel,
  options: DecodeOptions = {},
): Uint8Array {
  if (slivers.length === 0) throw new DecodingError('no slivers');
  const type = slivers[0].type;
  const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const ss = params.symbolSize(metadata.unencodedLength);
  const needed = type === 'primary' ? p : s;
  const chosen = chooseSlivers(slivers, type, needed, needed);
  checkSliverSizes(chosen, ss, type === 'primary' ? s : p);
  const matrix = type === 'primary' ? decodeRows(chosen, params, ss, kernel) : decodeColumns(chosen, params, ss, kernel);
  const blob = matrix.subarray(0, metadata.unencodedLength);

  const check = options.consistencyCheck ?? 'default';
  if (check === 'strict') {
    if (!equalBytes(encodeBlob(blob, params, kernel).blobId, blobId)) {
      throw new InconsistentBlobError('the decoded blob does not re-encode to its blob ID');
    }
  } else if (check === 'default') {
    const trusted = new Set(type === 'primary' && options.sliversVerified ? chosen.map((sliver) => sliver.index) : []);
    checkSystematicRows(matrix, trusted, { blobId, metadata }, params, ss, kernel);
  }
  return blob;
}

/** The default check: every systematic primary sliver not already verified must hash to the metadata. */
function checkSystematicRows(
  matrix: Uint8Array,
  trusted: Set<number>,
  { metadata }: BlobMetadataWithId,
  params: EncodingParams,
  ss: number,
  kernel: CodecKernel,
): void {
  const rowBytes = params.secondarySourceSymbols * ss;
  const rows: number[] = [];
  for (let r = 0; r < params.primarySourceSymbols; r++) if (!trusted.has(r)) rows.push(r);
  if (rows.length === 0) return;
  const roots = expandedSliverRoots(
    rows.map((r) => matrix.subarray(r * rowBytes, (r + 1) * rowBytes)),
    'primary',
    ss,
    params,
    kernel,
  );
  rows.forEach((r, q) => {
    if (!equalBytes(roots.subarray(q * DIGEST_LENGTH, (q + 1) * DIGEST_LENGTH), metadata.hashes[r].primary)) {
      throw new InconsistentBlobError(`decoded primary sliver ${r} does not match the metadata`);
    }
  });
}
