import { GF_MODULUS, gf16Tables, addMod, type Gf16Tables } from '../reed-solomon/gf16.ts';
import { PortableBlake2b256 } from './blake2b-portable.ts';
import type { CodecKernel } from './kernel.ts';

const DIGEST = 32;

/** Blocks of 32 elements: 32 low bytes then 32 high bytes. */
const BLOCK_ELEMENTS = 32;
const BLOCK_BYTES = 64;

/** Element `e` of a block-layout vector lives at these two byte offsets. */
function loOffset(e: number): number {
  return ((e >>> 5) << 6) | (e & 31);
}

/** Pure-TypeScript kernel: the reference every faster kernel is tested against, and the fallback. */
export class PortableKernel implements CodecKernel {
  readonly name = 'portable';
  private readonly tables: Gf16Tables = gf16Tables();
  private readonly hasher = new PortableBlake2b256();

  hashPrefixed(prefix: number, data: Uint8Array, len: number, count: number, out: Uint8Array, outStride: number): void {
    for (let i = 0; i < count; i++) this.hasher.hash(prefix, data, i * len, len, out, i * outStride * DIGEST);
  }

  merkleRoots(
    leafHashes: Uint8Array,
    treeCount: number,
    leafCount: number,
    treeStride: number,
    leafStride: number,
    out: Uint8Array,
  ): void {
    // One extra slot so an odd level can be padded with the empty node in place.
    const level = new Uint8Array((leafCount + 1) * DIGEST);
    for (let t = 0; t < treeCount; t++) {
      if (leafCount === 0) {
        out.fill(0, t * DIGEST, (t + 1) * DIGEST);
        continue;
      }
      for (let k = 0; k < leafCount; k++) {
        const at = (t * treeStride + k * leafStride) * DIGEST;
        level.set(leafHashes.subarray(at, at + DIGEST), k * DIGEST);
      }
      let width = leafCount;
      while (width > 1) {
        if (width % 2 === 1) level.fill(0, width * DIGEST, (width + 1) * DIGEST);
        const parents = (width + 1) >>> 1;
        // Parent i overwrites slot i only after children 2i and 2i+1 (both ≥ i) were read.
        for (let i = 0; i < parents; i++) this.hasher.hash(1, level, 2 * i * DIGEST, 2 * DIGEST, level, i * DIGEST);
        width = parents;
      }
      out.set(level.subarray(0, DIGEST), t * DIGEST);
    }
  }

  fft(work: Uint8Array, vecBytes: number, pos: number, size: number, truncated: number, skewDelta: number): void {
    const { skew } = this.tables;
    for (let dist = size >>> 1; dist > 0; dist >>>= 1) {
      for (let r = 0; r < truncated; r += dist << 1) {
        const logM = skew[r + dist + skewDelta - 1];
        for (let i = r; i < r + dist; i++) {
          const a = (pos + i) * vecBytes;
          const b = a + dist * vecBytes;
          if (logM !== GF_MODULUS) this.mulAdd(work, a, b, vecBytes, logM);
          xorRange(work, b, a, vecBytes);
        }
      }
    }
  }

  ifft(work: Uint8Array, vecBytes: number, pos: number, size: number, truncated: number, skewDelta: number): void {
    const { skew } = this.tables;
    for (let dist = 1; dist < size; dist <<= 1) {
      for (let r = 0; r < truncated; r += dist << 1) {
        const logM = skew[r + dist + skewDelta - 1];
        for (let i = r; i < r + dist; i++) {
          const a = (pos + i) * vecBytes;
          const b = a + dist * vecBytes;
          xorRange(work, b, a, vecBytes);
          if (logM !== GF_MODULUS) this.mulAdd(work, a, b, vecBytes, logM);
        }
      }
    }
  }

  mul(work: Uint8Array, vecBytes: number, pos: number, logM: number): void {
    const { exp, log } = this.tables;
    const base = pos * vecBytes;
    for (let block = base; block < base + vecBytes; block += BLOCK_BYTES) {
      for (let i = block; i < block + BLOCK_ELEMENTS; i++) {
        const x = work[i] | (work[i + BLOCK_ELEMENTS] << 8);
        const product = x === 0 ? 0 : exp[addMod(log[x], logM)];
        work[i] = product;
        work[i + BLOCK_ELEMENTS] = product >>> 8;
      }
    }
  }

  xorPositions(work: Uint8Array, vecBytes: number, dst: number, src: number, count: number): void {
    xorRange(work, dst * vecBytes, src * vecBytes, count * vecBytes);
  }

  formalDerivative(work: Uint8Array, vecBytes: number, count: number): void {
    for (let i = 1; i < count; i++) {
      const width = i & -i;
      this.xorPositions(work, vecBytes, i - width, i, width);
    }
  }

  packSymbols(
    src: Uint8Array,
    srcStart: number,
    srcStride: number,
    symbolSize: number,
    count: number,
    dst: Uint8Array,
    dstElement: number,
    dstElementStride: number,
  ): void {
    const elements = symbolSize >>> 1;
    const fullBlockElements = (symbolSize >>> 6) << 5;
    const tailHalf = elements - fullBlockElements;
    for (let q = 0; q < count; q++) {
      const symbol = srcStart + q * srcStride;
      let e = dstElement + q * dstElementStride;
      for (let j = 0; j < elements; j++, e++) {
        const [lo, hi] = symbolByteOffsets(j, fullBlockElements, tailHalf);
        const at = loOffset(e);
        dst[at] = src[symbol + lo];
        dst[at + BLOCK_ELEMENTS] = src[symbol + hi];
      }
    }
  }

  unpackSymbols(
    src: Uint8Array,
    srcElement: number,
    srcElementStride: number,
    symbolSize: number,
    count: number,
    dst: Uint8Array,
    dstStart: number,
    dstStride: number,
  ): void {
    const elements = symbolSize >>> 1;
    const fullBlockElements = (symbolSize >>> 6) << 5;
    const tailHalf = elements - fullBlockElements;
    for (let q = 0; q < count; q++) {
      const symbol = dstStart + q * dstStride;
      let e = srcElement + q * srcElementStride;
      for (let j = 0; j < elements; j++, e++) {
        const [lo, hi] = symbolByteOffsets(j, fullBlockElements, tailHalf);
        const at = loOffset(e);
        dst[symbol + lo] = src[at];
        dst[symbol + hi] = src[at + BLOCK_ELEMENTS];
      }
    }
  }

  /** work[a] ^= work[b] · exp(logM), element-wise over one vector. */
  private mulAdd(work: Uint8Array, a: number, b: number, vecBytes: number, logM: number): void {
    const { exp, log } = this.tables;
    for (let block = 0; block < vecBytes; block += BLOCK_BYTES) {
      for (let i = block; i < block + BLOCK_ELEMENTS; i++) {
        const y = work[b + i] | (work[b + i + BLOCK_ELEMENTS] << 8);
        if (y === 0) continue;
        const product = exp[addMod(log[y], logM)];
        work[a + i] ^= product;
        work[a + i + BLOCK_ELEMENTS] ^= product >>> 8;
      }
    }
  }
}

/**
 * Byte offsets of element j's low and high byte inside one symbol: full 64-byte blocks hold
 * 32 low then 32 high bytes; the tail of t bytes holds t/2 low then t/2 high bytes.
 */
function symbolByteOffsets(j: number, fullBlockElements: number, tailHalf: number): [number, number] {
  if (j < fullBlockElements) {
    const lo = ((j >>> 5) << 6) | (j & 31);
    return [lo, lo + BLOCK_ELEMENTS];
  }
  const lo = (fullBlockElements << 1) + (j - fullBlockElements);
  return [lo, lo + tailHalf];
}

function xorRange(data: Uint8Array, dst: number, src: number, length: number): void {
  for (let i = 0; i < length; i++) data[dst + i] ^= data[src + i];
}
