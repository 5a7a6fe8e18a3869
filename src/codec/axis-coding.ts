/**
 * The two Reed–Solomon passes of the expansion (docs/protocol.md §1.4), over any run of rows or
 * columns: every codeword is coded independently of the others (§1.6, "Speed"), so coding the
 * matrix whole (the in-memory encoder) or stripe by stripe (the file encoder) gives the same bytes.
 */
import type { CodecKernel } from './kernel/kernel.ts';
import type { MessageMatrix } from './message-matrix.ts';
import type { EncodingParams } from './params.ts';
import { ReedSolomonCode } from './reed-solomon/code.ts';
import { scratch } from './scratch.ts';
import { allocateWork, workGroups } from './work-groups.ts';

/**
 * Secondary code on each row of `matrix` (s symbols, any number of rows): recovery symbol k of
 * the matrix's row r is expanded-matrix symbol (r, s+k). Written to `repairColumns` column-major:
 * symbol (r, s+k) at `(k·rows + r)·ss`, so each repair column's symbols for these rows are
 * contiguous — for the whole p×s matrix, exactly secondary slivers s..n−1.
 */
export function encodeRows(matrix: MessageMatrix, repairColumns: Uint8Array, params: EncodingParams, kernel: CodecKernel): void {
  const { n, secondarySourceSymbols: s } = params;
  const { rows: rowCount, symbolSize: ss } = matrix;
  const code = new ReedSolomonCode(s, n - s, kernel);
  const positions = code.encodeWorkPositions;
  const elements = ss / 2;
  const work = allocateWork(rowCount, elements, positions);
  for (const group of workGroups(rowCount, elements, positions)) {
    const rows = group.end - group.start;
    // The originals overwrite positions [0, s); padding elements may keep earlier groups' bytes.
    work.fill(0, s * group.vecBytes, code.encodeZeroEnd * group.vecBytes);
    for (let c = 0; c < s; c++) {
      matrix.packColumn(kernel, c, group.start, group.end, work, c * group.vecElements, elements);
    }
    code.encode(work, group.vecBytes);
    for (let k = 0; k < n - s; k++) {
      kernel.unpackSymbols(work, k * group.vecElements, elements, ss, rows, repairColumns, (k * rowCount + group.start) * ss, ss);
    }
  }
}

/** Columns [start, end) of the expanded matrix, each given by its p source symbols. */
export interface ColumnSource {
  readonly start: number;
  readonly end: number;
  /** Packs the p symbols of column c into element vector `dst`: symbol r from element `firstElement + r·elementStride`. */
  pack(c: number, dst: Uint8Array, firstElement: number, elementStride: number): void;
}

/** Where the repair rows of source columns (c < s) go: row k of `rowRange` at `(k − rowRange.start)·rowStride + (c − firstColumn)·ss`. */
export interface KeptRows {
  readonly rows: Uint8Array;
  readonly rowStride: number;
  readonly firstColumn: number;
  /** Repair rows to keep, counted from row p; default all n−p. */
  readonly rowRange?: { readonly start: number; readonly end: number };
}

export interface ColumnPass {
  readonly kept?: KeptRows;
  /**
   * Receives the repair symbols not kept — all n−p rows of `columns` columns from `firstColumn`,
   * row-major, in a scratch buffer valid during the call — to hash them.
   */
  readonly hashDropped?: (symbols: Uint8Array, columns: number, firstColumn: number) => void;
}

/**
 * Primary code on the columns of `source`: recovery symbol k of column c is expanded-matrix symbol
 * (p+k, c). Columns < s hold the repair rows (primary slivers p..n−1): kept when `pass.kept` is
 * given, otherwise handed to `hashDropped` with the columns ≥ s, which are only ever hashed.
 */
export function encodeColumns(source: ColumnSource, params: EncodingParams, ss: number, kernel: CodecKernel, pass: ColumnPass): void {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const code = new ReedSolomonCode(p, n - p, kernel);
  const positions = code.encodeWorkPositions;
  const elements = ss / 2;
  const { kept } = pass;
  const keptEnd = kept ? s : 0;
  const keptRange = kept?.rowRange ?? { start: 0, end: n - p };
  const work = allocateWork(source.end - source.start, elements, positions);
  for (const relative of workGroups(source.end - source.start, elements, positions)) {
    const start = source.start + relative.start;
    const end = source.start + relative.end;
    work.fill(0, p * relative.vecBytes, code.encodeZeroEnd * relative.vecBytes);
    for (let c = start; c < end; c++) source.pack(c, work, (c - start) * elements, relative.vecElements);
    code.encode(work, relative.vecBytes);

    const keptCount = Math.max(0, Math.min(end, keptEnd) - start);
    if (kept && keptCount > 0) {
      for (let k = keptRange.start; k < keptRange.end; k++) {
        kernel.unpackSymbols(work, k * relative.vecElements, elements, ss, keptCount, kept.rows, (k - keptRange.start) * kept.rowStride + (start - kept.firstColumn) * ss, ss);
      }
    }
    const dropStart = start + keptCount;
    const dropped = end - dropStart;
    if (dropped > 0 && pass.hashDropped) {
      const droppedSymbols = scratch('dropped-symbols', dropped * (n - p) * ss);
      for (let k = 0; k < n - p; k++) {
        kernel.unpackSymbols(work, k * relative.vecElements + (dropStart - start) * elements, elements, ss, dropped, droppedSymbols, k * dropped * ss, ss);
      }
      pass.hashDropped(droppedSymbols, dropped, dropStart);
    }
  }
}
