import type { CodecKernel } from './kernel/kernel.ts';

/** Symbol size from which copying a symbol with `set` beats a byte loop. */
const BULK_COPY_MIN_BYTES = 32;

/**
 * The p×s message matrix of a blob, read in place: symbol (r, c) is bytes [(r·s + c)·ss, +ss) of
 * the blob zero-padded to p·s·ss. Rows wholly inside the blob are views of it; only the rows past
 * its end live in a small zero-padded copy, so a large blob is never copied whole.
 */
export class MessageMatrix {
  readonly rowBytes: number;
  /** Rows that lie wholly inside the blob. */
  private readonly fullRows: number;
  private readonly tail: Uint8Array;

  constructor(
    private readonly blob: Uint8Array,
    readonly rows: number,
    readonly columns: number,
    readonly symbolSize: number,
  ) {
    this.rowBytes = columns * symbolSize;
    this.fullRows = Math.min(rows, Math.floor(blob.length / this.rowBytes));
    this.tail = new Uint8Array((rows - this.fullRows) * this.rowBytes);
    this.tail.set(blob.subarray(this.fullRows * this.rowBytes));
  }

  /** Row r (a systematic primary sliver), without copying. */
  row(r: number): Uint8Array {
    if (r < this.fullRows) return this.blob.subarray(r * this.rowBytes, (r + 1) * this.rowBytes);
    const at = (r - this.fullRows) * this.rowBytes;
    return this.tail.subarray(at, at + this.rowBytes);
  }

  /** Column c (a systematic secondary sliver), gathered into a new buffer. */
  column(c: number): Uint8Array {
    const out = new Uint8Array(this.rows * this.symbolSize);
    this.copyColumn(c, out, 0);
    return out;
  }

  /** Gathers column c's `rows` symbols, contiguous, into `out` from byte `at`. */
  copyColumn(c: number, out: Uint8Array, at: number): void {
    const ss = this.symbolSize;
    const from = c * ss;
    for (let r = 0; r < this.rows; r++) {
      const row = this.row(r);
      const to = at + r * ss;
      // A byte loop beats creating a subarray for the few-byte symbols of small blobs.
      if (ss < BULK_COPY_MIN_BYTES) for (let b = 0; b < ss; b++) out[to + b] = row[from + b];
      else out.set(row.subarray(from, from + ss), to);
    }
  }

  /** The matrix as at most two contiguous runs of whole rows: those inside the blob, then the padded tail. */
  rowRuns(): { firstRow: number; rows: number; bytes: Uint8Array }[] {
    const runs = [];
    if (this.fullRows > 0) runs.push({ firstRow: 0, rows: this.fullRows, bytes: this.blob.subarray(0, this.fullRows * this.rowBytes) });
    if (this.fullRows < this.rows) runs.push({ firstRow: this.fullRows, rows: this.rows - this.fullRows, bytes: this.tail });
    return runs;
  }

  /**
   * Packs symbols (r, c) for r in [rowStart, rowEnd) into element vector `dst`, symbol r at
   * element `firstElement + (r − rowStart)·elementStride`.
   */
  packColumn(kernel: CodecKernel, c: number, rowStart: number, rowEnd: number, dst: Uint8Array, firstElement: number, elementStride: number): void {
    const ss = this.symbolSize;
    const split = Math.min(Math.max(rowStart, this.fullRows), rowEnd);
    if (split > rowStart) {
      kernel.packSymbols(this.blob, rowStart * this.rowBytes + c * ss, this.rowBytes, ss, split - rowStart, dst, firstElement, elementStride);
    }
    if (rowEnd > split) {
      const tailStart = (split - this.fullRows) * this.rowBytes + c * ss;
      kernel.packSymbols(this.tail, tailStart, this.rowBytes, ss, rowEnd - split, dst, firstElement + (split - rowStart) * elementStride, elementStride);
    }
  }
}
