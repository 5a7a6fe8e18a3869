import type { CodecKernel } from '../kernel/kernel.ts';
import { GF_MODULUS, GF_ORDER, evalErasureLocator, gf16Tables } from './gf16.ts';
import { nextPowerOfTwo, useHighRate } from './rate.ts';
import { DecodingError } from '../errors.ts';

/** Bytes of one 32-element block of a work vector. */
export const VECTOR_BLOCK_BYTES = 64;

/** Bytes a work vector needs for `elements` GF(2^16) elements. */
export function vectorBytes(elements: number): number {
  return Math.ceil(elements / 32) * VECTOR_BLOCK_BYTES;
}

/**
 * A systematic Reed–Solomon code over GF(2^16) with `originalCount` source and `recoveryCount`
 * recovery positions, computed exactly as reed-solomon-simd 3.1 computes it. Every position holds
 * a vector of elements (many independent codewords side by side), so one call codes a whole axis.
 */
export class ReedSolomonCode {
  readonly highRate: boolean;
  /** The power-of-two chunk size of the chosen rate. */
  private readonly chunk: number;

  constructor(
    readonly originalCount: number,
    readonly recoveryCount: number,
    private readonly kernel: CodecKernel,
  ) {
    this.highRate = useHighRate(originalCount, recoveryCount);
    this.chunk = nextPowerOfTwo(this.highRate ? recoveryCount : originalCount);
  }

  /** Positions an encode work array needs. */
  get encodeWorkPositions(): number {
    const c = this.chunk;
    return this.highRate
      ? Math.ceil(this.originalCount / c) * c
      : Math.max(c, Math.ceil(this.recoveryCount / c) * c);
  }

  /**
   * Positions [originalCount, encodeZeroEnd) are the ones {@link encode} needs zeroed: the low
   * rate copies its first chunk over every later one before reading them.
   */
  get encodeZeroEnd(): number {
    return this.highRate ? this.encodeWorkPositions : this.chunk;
  }

  /**
   * Encodes in place. On entry positions [0, originalCount) of `work` hold the originals and
   * positions [originalCount, encodeZeroEnd) are zero (the rest of the first `encodeWorkPositions`
   * may hold anything); on return positions [0, recoveryCount) hold the recovery vectors. Every
   * operation is element-wise across a position's vector, so elements no codeword uses (a
   * vector's padding) may hold anything too: they only ever affect themselves.
   */
  encode(work: Uint8Array, vecBytes: number): void {
    const k = this.kernel;
    const c = this.chunk;
    const o = this.originalCount;
    const r = this.recoveryCount;
    if (this.highRate) {
      k.ifft(work, vecBytes, 0, c, Math.min(o, c), c);
      for (let chunkStart = c; chunkStart < o; chunkStart += c) {
        k.ifft(work, vecBytes, chunkStart, c, Math.min(c, o - chunkStart), chunkStart + c);
        k.xorPositions(work, vecBytes, 0, chunkStart, c);
      }
      k.fft(work, vecBytes, 0, c, r, 0);
    } else {
      k.ifft(work, vecBytes, 0, c, o, 0);
      const end = Math.ceil(r / c) * c;
      for (let chunkStart = c; chunkStart < end; chunkStart += c) {
        work.copyWithin(chunkStart * vecBytes, 0, c * vecBytes);
      }
      for (let chunkStart = 0; chunkStart < r; chunkStart += c) {
        k.fft(work, vecBytes, chunkStart, c, Math.min(c, r - chunkStart), chunkStart + c);
      }
    }
  }

  /** Codeword position of original `i` in a decode work array. */
  originalPosition(i: number): number {
    return this.highRate ? this.chunk + i : i;
  }

  /** Codeword position of recovery `i` in a decode work array. */
  recoveryPosition(i: number): number {
    return this.highRate ? i : this.chunk + i;
  }

  /** Positions a decode work array needs. */
  get decodeWorkPositions(): number {
    return nextPowerOfTwo(this.chunk + (this.highRate ? this.originalCount : this.recoveryCount));
  }

  /**
   * Plans the recovery of the originals missing from `received` (indexed by codeword position,
   * see {@link originalPosition} and {@link recoveryPosition}). The plan depends only on which
   * positions arrived, so one plan serves every group of a decode. Returns null when every
   * original arrived and there is nothing to decode.
   */
  planDecode(received: Uint8Array): DecodePlan | null {
    const o = this.originalCount;
    const r = this.recoveryCount;
    const c = this.chunk;
    let originalsPresent = 0;
    let recoveryPresent = 0;
    for (let i = 0; i < o; i++) if (received[this.originalPosition(i)]) originalsPresent++;
    for (let i = 0; i < r; i++) if (received[this.recoveryPosition(i)]) recoveryPresent++;
    if (originalsPresent === o) return null;
    if (originalsPresent + recoveryPresent < o) throw new DecodingError(`need ${o} shards, have ${originalsPresent + recoveryPresent}`);

    const tables = gf16Tables();
    const erasures = new Uint16Array(GF_ORDER);
    // The data region [0, end) of the codeword; positions past it are known zeros.
    let end: number;
    if (this.highRate) {
      end = c + o;
      for (let i = 0; i < r; i++) if (!received[i]) erasures[i] = 1;
      erasures.fill(1, r, c);
      for (let i = c; i < end; i++) if (!received[i]) erasures[i] = 1;
      evalErasureLocator(tables, erasures, end);
    } else {
      end = c + r;
      for (let i = 0; i < o; i++) if (!received[i]) erasures[i] = 1;
      for (let i = c; i < end; i++) if (!received[i]) erasures[i] = 1;
      erasures.fill(1, end);
      evalErasureLocator(tables, erasures, GF_ORDER);
    }
    return { received: received.slice(), erasures, end };
  }

  /**
   * Recovers missing originals in place, as planned. `work` holds every received vector at its
   * codeword position and zeros elsewhere. On return every *missing* original's position holds
   * that original; every other position holds intermediate values, so received originals must
   * be taken from the input.
   */
  decode(work: Uint8Array, vecBytes: number, plan: DecodePlan): void {
    const k = this.kernel;
    const { received, erasures, end } = plan;
    const positions = this.decodeWorkPositions;
    for (let i = 0; i < end; i++) {
      if (received[i]) k.mul(work, vecBytes, i, erasures[i]);
      else work.fill(0, i * vecBytes, (i + 1) * vecBytes);
    }
    work.fill(0, end * vecBytes, positions * vecBytes);

    k.ifft(work, vecBytes, 0, positions, end, 0);
    k.formalDerivative(work, vecBytes, positions);
    k.fft(work, vecBytes, 0, positions, end, 0);

    for (let i = 0; i < this.originalCount; i++) {
      const pos = this.originalPosition(i);
      if (!received[pos]) k.mul(work, vecBytes, pos, GF_MODULUS - erasures[pos]);
    }
  }
}

/** The erasure locator of one set of received positions (see {@link ReedSolomonCode.planDecode}). */
export interface DecodePlan {
  readonly received: Uint8Array;
  /** Log-domain erasure-locator evaluations, per codeword position. */
  readonly erasures: Uint16Array;
  /** End of the codeword's data region. */
  readonly end: number;
}
