import type { CodecKernel } from './kernel/kernel.ts';
import { DIGEST_LENGTH } from './params.ts';
import { scratch } from './scratch.ts';

/**
 * The n² leaf hashes of the expanded matrix, row-major: leaf (r, c) at `32·(r·n + c)`, in a
 * reused scratch buffer (valid until the next encode). Blocks of
 * contiguous symbols are hashed in one kernel call each, so that the kernel can spread the work
 * over its threads, and the hashes are then moved into place row by row.
 */
export class LeafHashes {
  readonly hashes: Uint8Array;

  constructor(
    private readonly n: number,
    private readonly symbolSize: number,
    private readonly kernel: CodecKernel,
  ) {
    this.hashes = scratch('leaves', n * n * DIGEST_LENGTH);
  }

  /** Hashes `rows`×`columns` symbols stored row-major in `symbols`, as the leaves of block (firstRow, firstColumn). */
  hashBlock(symbols: Uint8Array, rows: number, columns: number, firstRow: number, firstColumn: number): void {
    const count = rows * columns;
    if (count === 0) return;
    const digests = scratch('leaf-digests', count * DIGEST_LENGTH);
    this.kernel.hashPrefixed(0, symbols, this.symbolSize, count, digests, 1);
    const rowBytes = columns * DIGEST_LENGTH;
    for (let r = 0; r < rows; r++) {
      this.hashes.set(digests.subarray(r * rowBytes, (r + 1) * rowBytes), ((firstRow + r) * this.n + firstColumn) * DIGEST_LENGTH);
    }
  }

  /** Hashes the `rows` symbols of one column stored contiguously, as leaves (firstRow.., column). */
  hashColumn(symbols: Uint8Array, rows: number, firstRow: number, column: number): void {
    this.kernel.hashPrefixed(0, symbols, this.symbolSize, rows, this.hashes.subarray((firstRow * this.n + column) * DIGEST_LENGTH), this.n);
  }
}
