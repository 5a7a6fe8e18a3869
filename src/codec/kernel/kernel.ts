/**
 * The codec's hot loops, behind one small interface so that native and portable
 * implementations can be swapped and checked against each other byte for byte.
 *
 * Reed–Solomon work arrays: `work` holds consecutive positions of `vecBytes` bytes each
 * (a multiple of 64). A position's vector stores GF(2^16) elements in 64-byte blocks, the low
 * bytes of 32 elements followed by their high bytes — reed-solomon-simd's shard layout.
 */
export interface CodecKernel {
  /** Which implementation this is, for logs and metrics. */
  readonly name: string;

  /**
   * Blake2b-256 of `prefix ‖ data[i·len, (i+1)·len)` for each i < count, into
   * `out[32·i·outStride, +32)`. Leaves of a Merkle tree use prefix 0x00, inner nodes 0x01.
   */
  hashPrefixed(prefix: number, data: Uint8Array, len: number, count: number, out: Uint8Array, outStride: number): void;

  /**
   * Roots of `treeCount` Merkle trees of `leafCount` leaves each. Leaf k of tree t is the
   * 32-byte hash at `leafHashes[32·(t·treeStride + k·leafStride)]`; root t goes to `out[32t..]`.
   * Odd levels are padded with the all-zero empty node; one leaf is its own root.
   */
  merkleRoots(
    leafHashes: Uint8Array,
    treeCount: number,
    leafCount: number,
    treeStride: number,
    leafStride: number,
    out: Uint8Array,
  ): void;

  /** Leopard FFT over positions [pos, pos+size) (size a power of two). */
  fft(work: Uint8Array, vecBytes: number, pos: number, size: number, truncated: number, skewDelta: number): void;

  /** Leopard inverse FFT over positions [pos, pos+size). */
  ifft(work: Uint8Array, vecBytes: number, pos: number, size: number, truncated: number, skewDelta: number): void;

  /** Multiplies every element of position `pos` by exp(logM). */
  mul(work: Uint8Array, vecBytes: number, pos: number, logM: number): void;

  /** work[dst + i] ^= work[src + i] for i < count; the ranges must not overlap. */
  xorPositions(work: Uint8Array, vecBytes: number, dst: number, src: number, count: number): void;

  /** Leopard's formal derivative over the first `count` positions. */
  formalDerivative(work: Uint8Array, vecBytes: number, count: number): void;

  /**
   * Converts `count` symbols of `symbolSize` bytes into elements. Symbol q is read from byte
   * `srcStart + q·srcStride` of `src` (its bytes in reed-solomon-simd's per-shard lo/hi order) and
   * its symbolSize/2 elements are written from element `dstElement + q·dstElementStride` of `dst`.
   * A work array is one long element vector (vecBytes is a multiple of 64), so element
   * `pos·vecBytes/2 + e` is element e of position pos.
   */
  packSymbols(
    src: Uint8Array,
    srcStart: number,
    srcStride: number,
    symbolSize: number,
    count: number,
    dst: Uint8Array,
    dstElement: number,
    dstElementStride: number,
  ): void;

  /** The inverse of {@link packSymbols}: writes `count` symbols back as bytes. */
  unpackSymbols(
    src: Uint8Array,
    srcElement: number,
    srcElementStride: number,
    symbolSize: number,
    count: number,
    dst: Uint8Array,
    dstStart: number,
    dstStride: number,
  ): void;
}
