import { equalBytes } from './bytes.ts';
import { DecodingError, InconsistentBlobError } from './errors.ts';
import { encodeBlob } from './encoder.ts';
import { expandedSliverRoots } from './expansion.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import type { BlobMetadataWithId } from './metadata.ts';
import { DIGEST_LENGTH, EncodingParams } from './params.ts';
import { ReedSolomonCode } from './reed-solomon/code.ts';
import type { Sliver, SliverType } from './sliver.ts';
import { allocateWork, workGroups } from './work-groups.ts';
import { writeColumn } from './matrix.ts';

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

/**
 * Rebuilds the p×s message matrix from any p primary slivers (rows). With all systematic rows
 * 0..p−1 present it is their concatenation; otherwise each column is decoded with the primary code.
 */
function decodeRows(slivers: Sliver[], params: EncodingParams, ss: number, kernel: CodecKernel): Uint8Array {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const matrix = new Uint8Array(p * s * ss);
  const rowBytes = s * ss;
  if (slivers.every((sliver) => sliver.index < p)) {
    for (const sliver of slivers) matrix.set(sliver.data, sliver.index * rowBytes);
    return matrix;
  }
  const code = new ReedSolomonCode(p, n - p, kernel);
  const positions = code.decodeWorkPositions;
  const elements = ss / 2;
  const positionOf = (index: number) => (index < p ? code.originalPosition(index) : code.recoveryPosition(index - p));
  const work = allocateWork(s, elements, positions);
  for (const group of workGroups(s, elements, positions)) {
    const columns = group.end - group.start;
    work.fill(0, 0, positions * group.vecBytes);
    const received = new Uint8Array(positions);
    for (const sliver of slivers) {
      const pos = positionOf(sliver.index);
      received[pos] = 1;
      kernel.packSymbols(sliver.data, group.start * ss, ss, ss, columns, work, pos * group.vecElements, elements);
    }
    code.decode(work, group.vecBytes, received);
    for (let r = 0; r < p; r++) {
      const pos = code.originalPosition(r);
      if (received[pos]) continue;
      kernel.unpackSymbols(work, pos * group.vecElements, elements, ss, columns, matrix, r * rowBytes + group.start * ss, ss);
    }
  }
  for (const sliver of slivers) if (sliver.index < p) matrix.set(sliver.data, sliver.index * rowBytes);
  return matrix;
}

/** Rebuilds the message matrix from any s secondary slivers (columns) with the secondary code. */
function decodeColumns(slivers: Sliver[], params: EncodingParams, ss: number, kernel: CodecKernel): Uint8Array {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const matrix = new Uint8Array(p * s * ss);
  const code = new ReedSolomonCode(s, n - s, kernel);
  const positions = code.decodeWorkPositions;
  const elements = ss / 2;
  const positionOf = (index: number) => (index < s ? code.originalPosition(index) : code.recoveryPosition(index - s));
  const work = allocateWork(p, elements, positions);
  for (const group of workGroups(p, elements, positions)) {
    const rows = group.end - group.start;
    work.fill(0, 0, positions * group.vecBytes);
    const received = new Uint8Array(positions);
    for (const sliver of slivers) {
      const pos = positionOf(sliver.index);
      received[pos] = 1;
      kernel.packSymbols(sliver.data, group.start * ss, ss, ss, rows, work, pos * group.vecElements, elements);
    }
    code.decode(work, group.vecBytes, received);
    for (let c = 0; c < s; c++) {
      const pos = code.originalPosition(c);
      if (received[pos]) continue;
      kernel.unpackSymbols(work, pos * group.vecElements, elements, ss, rows, matrix, (group.start * s + c) * ss, s * ss);
    }
  }
  const shape = { rows: p, columns: s, symbolSize: ss };
  for (const sliver of slivers) if (sliver.index < s) writeColumn(matrix, shape, sliver.index, sliver.data);
  return matrix;
}

/**
 * Decodes a blob from slivers of one type — at least p primary or s secondary slivers — and runs
 * the requested consistency check against the (already verified) metadata.
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
