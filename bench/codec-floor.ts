/**
 * The floor an encode cannot beat on this machine with a given kernel: the BLAKE2b compressions
 * and the FFT butterflies it must perform, each at the best rate the same kernel reaches on this
 * machine in the same run (large batches of 64-byte Merkle nodes; in-cache FFTs), all threads used.
 * Everything else an encode does (packing symbols into work arrays, copies, zeroing, JavaScript) is
 * counted as distance from the floor.
 */
import { randomFillSync } from 'node:crypto';
import type { CodecKernel } from '../src/codec/kernel/kernel.ts';

/** BLAKE2b block; a message of m bytes takes ⌈m/128⌉ compressions (at least one). */
const BLAKE2B_BLOCK = 128;
const DIGEST = 32;
/** Each rate is the best of this many rounds of at least ROUND_MS. */
const ROUNDS = 3;
const ROUND_MS = 150;
/** Rate probes: 2^18 Merkle nodes (16 MiB of input), and an FFT of 512 positions × 2 KiB (1 MiB, in L2). */
const HASH_PROBE_COUNT = 1 << 18;
const FFT_PROBE_SIZE = 512;
const FFT_PROBE_VEC_BYTES = 2048;

/** What one encode asks of the kernel's two real costs. */
export interface KernelWork {
  /** BLAKE2b compressions: leaves (⌈(1 + ss)/128⌉ each), inner nodes, metadata. */
  compressions: number;
  /** Butterfly work of the (I)FFTs: Σ truncated positions × vector bytes × layers. */
  fftByteLayers: number;
}

export interface Floor extends KernelWork {
  /** Compressions per second, all threads. */
  compressionsPerSecond: number;
  /** FFT byte-layers per second, all threads. */
  fftByteLayersPerSecond: number;
  /** The encode's lower bound: its compressions and FFT work at those rates. */
  floorMs: number;
  /**
   * The same in CPU time (rates per CPU-second, threads summed): what a machine shared with other
   * work still measures fairly, since the encode's own CPU time is compared with it.
   */
  floorCpuMs: number;
}

function compressionsOf(messageBytes: number): number {
  return Math.max(1, Math.ceil(messageBytes / BLAKE2B_BLOCK));
}

/** Inner nodes of one Merkle tree of `leaves` leaves (odd levels padded with the empty node). */
function innerNodes(leaves: number): number {
  let nodes = 0;
  for (let width = leaves; width > 1; width = Math.ceil(width / 2)) nodes += Math.ceil(width / 2);
  return nodes;
}

/** A kernel that forwards every call to `kernel` and tallies the work of its hashes and transforms. */
export function countingKernel(kernel: CodecKernel): { kernel: CodecKernel; work: KernelWork } {
  const work: KernelWork = { compressions: 0, fftByteLayers: 0 };
  const transformed = (vecBytes: number, size: number, truncated: number) => {
    work.fftByteLayers += truncated * vecBytes * Math.log2(size);
  };
  const counting: CodecKernel = {
    name: `${kernel.name} (counted)`,
    hashPrefixed: (prefix, data, len, count, out, outStride) => {
      work.compressions += count * compressionsOf(1 + len);
      kernel.hashPrefixed(prefix, data, len, count, out, outStride);
    },
    merkleRoots: (leafHashes, treeCount, leafCount, treeStride, leafStride, out) => {
      work.compressions += treeCount * innerNodes(leafCount);
      kernel.merkleRoots(leafHashes, treeCount, leafCount, treeStride, leafStride, out);
    },
    fft: (w, vecBytes, pos, size, truncated, skewDelta) => {
      transformed(vecBytes, size, truncated);
      kernel.fft(w, vecBytes, pos, size, truncated, skewDelta);
    },
    ifft: (w, vecBytes, pos, size, truncated, skewDelta) => {
      transformed(vecBytes, size, truncated);
      kernel.ifft(w, vecBytes, pos, size, truncated, skewDelta);
    },
    mul: (...args) => kernel.mul(...args),
    xorPositions: (...args) => kernel.xorPositions(...args),
    formalDerivative: (...args) => kernel.formalDerivative(...args),
    packSymbols: (...args) => kernel.packSymbols(...args),
    unpackSymbols: (...args) => kernel.unpackSymbols(...args),
  };
  return { kernel: counting, work };
}

/** Units per second of wall time and per second of process CPU time (all threads summed). */
interface Rates {
  wall: number;
  cpu: number;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Best rates of `op` (which does `units` per call) over ROUNDS rounds, after a warm-up call. */
function bestRates(units: number, op: () => void): Rates {
  op();
  const best: Rates = { wall: 0, cpu: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let calls = 0;
    let elapsed = 0;
    do {
      op();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < ROUND_MS);
    best.wall = Math.max(best.wall, (units * calls) / (elapsed / 1000));
    best.cpu = Math.max(best.cpu, (units * calls) / cpuSeconds(cpuStart));
  }
  return best;
}

function random(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) randomFillSync(bytes.subarray(at, Math.min(length, at + 65536)));
  return bytes;
}

/** Measures `kernel`'s peak rates now and turns `work` into the encode's floor. */
export function measureFloor(kernel: CodecKernel, work: KernelWork): Floor {
  const nodes = random(HASH_PROBE_COUNT * 2 * DIGEST);
  const digests = new Uint8Array(HASH_PROBE_COUNT * DIGEST);
  const hashes = bestRates(HASH_PROBE_COUNT, () => kernel.hashPrefixed(1, nodes, 2 * DIGEST, HASH_PROBE_COUNT, digests, 1));
  const fftWork = random(FFT_PROBE_SIZE * FFT_PROBE_VEC_BYTES);
  const layers = Math.log2(FFT_PROBE_SIZE);
  const ffts = bestRates(2 * FFT_PROBE_SIZE * FFT_PROBE_VEC_BYTES * layers, () => {
    kernel.fft(fftWork, FFT_PROBE_VEC_BYTES, 0, FFT_PROBE_SIZE, FFT_PROBE_SIZE, FFT_PROBE_SIZE);
    kernel.ifft(fftWork, FFT_PROBE_VEC_BYTES, 0, FFT_PROBE_SIZE, FFT_PROBE_SIZE, FFT_PROBE_SIZE);
  });
  const floorMs = (rates: 'wall' | 'cpu') => 1000 * (work.compressions / hashes[rates] + work.fftByteLayers / ffts[rates]);
  return {
    ...work,
    compressionsPerSecond: hashes.wall,
    fftByteLayersPerSecond: ffts.wall,
    floorMs: floorMs('wall'),
    floorCpuMs: floorMs('cpu'),
  };
}
