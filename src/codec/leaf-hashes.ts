import { deriveBlobId, secondarySliverIndex } from './blob-id.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import { computeRootHash, type BlobMetadata, type SliverPairHashes } from './metadata.ts';
import { DIGEST_LENGTH, ENCODING_TYPE_RS2 } from './params.ts';
import { scratch } from './scratch.ts';

/** What the leaves of an expanded matrix commit to (docs/protocol.md §1.7, §2.2–§2.3). */
export interface BlobCommitments {
  readonly metadata: BlobMetadata;
  readonly rootHash: Uint8Array;
  readonly blobId: Uint8Array;
}

/**
 * The n² leaf hashes of the expanded matrix, row-major: leaf (r, c) at `32·(r·n + c)`. By default
 * in a reused scratch buffer (valid until the next encode), which is only safe for an encode that
 * runs in one synchronous call; an encode that awaits between steps passes a buffer of its own.
 * Blocks of contiguous symbols are hashed in one kernel call each, so that the kernel can spread
 * the work over its threads, and the hashes are then moved into place row by row.
 */
export class LeafHashes {
  readonly hashes: Uint8Array;

  constructor(
    private readonly n: number,
    private readonly symbolSize: number,
    private readonly kernel: CodecKernel,
    hashes?: Uint8Array,
  ) {
    this.hashes = hashes ?? scratch('leaves', n * n * DIGEST_LENGTH);
  }

  /** Bytes an owned buffer for {@link LeafHashes} needs at `n` shards. */
  static bytes(n: number): number {
    return n * n * DIGEST_LENGTH;
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

  /**
   * Once every leaf is in: pair i's primary hash is the root over row i, its secondary hash the
   * root over column n−1−i; the root hash is the Merkle root over the pairs, and the blob ID
   * commits to it and the unencoded length.
   */
  commitments(unencodedLength: number): BlobCommitments {
    const { n, kernel } = this;
    const primaryRoots = new Uint8Array(n * DIGEST_LENGTH);
    const columnRoots = new Uint8Array(n * DIGEST_LENGTH);
    kernel.merkleRoots(this.hashes, n, n, n, 1, primaryRoots);
    kernel.merkleRoots(this.hashes, n, n, 1, n, columnRoots);
    const hashes: SliverPairHashes[] = [];
    for (let i = 0; i < n; i++) {
      const column = secondarySliverIndex(i, n);
      hashes.push({
        primary: primaryRoots.slice(i * DIGEST_LENGTH, (i + 1) * DIGEST_LENGTH),
        secondary: columnRoots.slice(column * DIGEST_LENGTH, (column + 1) * DIGEST_LENGTH),
      });
    }
    const metadata: BlobMetadata = { encodingType: ENCODING_TYPE_RS2, unencodedLength, hashes };
    const rootHash = computeRootHash(metadata, kernel);
    return { metadata, rootHash, blobId: deriveBlobId(rootHash, unencodedLength) };
  }
}
