/**
 * Codec kernel micro-benchmarks: BLAKE2b-256 hashes/s (leaves, inner nodes, Merkle forests) and
 * Leopard FFT throughput, for the portable kernel and the native one per SIMD level and thread count.
 *
 *   node --import tsx bench/kernel.bench.ts
 */
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CodecKernel } from '../src/codec/kernel/kernel.ts';
import { loadNativeKernel, type NativeKernel } from '../src/codec/kernel/native-kernel.ts';
import { PortableKernel } from '../src/codec/kernel/portable-kernel.ts';

const DIGEST = 32;
/** Each measurement repeats its operation for at least this long, and keeps the best of its rounds. */
const MIN_ROUND_MS = 250;
const ROUNDS = 3;
const GIGA = 1e9;
const MEGA = 1e6;

/** Operations (hashes, bytes…) per second of `op`, which performs `units` of them per call. */
function rate(units: number, op: () => void): number {
  op(); // warm-up
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      op();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < MIN_ROUND_MS);
    best = Math.max(best, (units * calls) / (elapsed / 1000));
  }
  return best;
}

function random(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) randomFillSync(bytes.subarray(at, Math.min(length, at + 65536)));
  return bytes;
}

function label(kernel: CodecKernel): string {
  const native = kernel as Partial<NativeKernel>;
  return native.simd === undefined ? kernel.name : `${kernel.name} ${native.simd} ×${native.threads}`;
}

function kernels(): { portable: CodecKernel; natives: NativeKernel[] } {
  const portable = new PortableKernel();
  const loaded = loadNativeKernel();
  if (loaded.error !== undefined) {
    console.warn(`native kernel unavailable: ${loaded.error}`);
    return { portable, natives: [] };
  }
  const natives: NativeKernel[] = [];
  for (const simd of loaded.kernel.supportedSimd) {
    if (simd === 'ssse3') continue; // hashes like scalar; its FFT is covered below
    natives.push(mustLoad(simd, 1));
  }
  if (loaded.kernel.threads > 1) natives.push(loaded.kernel);
  return { portable, natives };
}

function mustLoad(simd: NativeKernel['simd'], threads: number): NativeKernel {
  const { kernel, error } = loadNativeKernel({ simd, threads });
  if (!kernel) throw new Error(error);
  return kernel;
}

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(34)} ${value}`);
}

function benchHashes(title: string, len: number, count: number, portableCount: number, all: CodecKernel[]): void {
  console.log(`${title} (${len + 1}-byte messages)`);
  for (const kernel of all) {
    const n = kernel.name === 'portable' ? portableCount : count;
    const data = random(n * len);
    const out = new Uint8Array(n * DIGEST);
    const hashes = rate(n, () => kernel.hashPrefixed(1, data, len, n, out, 1));
    row(label(kernel), `${(hashes / MEGA).toFixed(2)} M hashes/s`);
  }
}

function benchMerkle(trees: number, leaves: number, portableTrees: number, all: CodecKernel[]): void {
  console.log(`merkleRoots: ${trees} trees × ${leaves} leaves`);
  for (const kernel of all) {
    const t = kernel.name === 'portable' ? portableTrees : trees;
    const leafHashes = random(t * leaves * DIGEST);
    const out = new Uint8Array(t * DIGEST);
    const hashes = rate(t * (leaves - 1), () => kernel.merkleRoots(leafHashes, t, leaves, leaves, 1, out));
    row(label(kernel), `${(hashes / MEGA).toFixed(2)} M inner hashes/s`);
  }
}

function benchFft(size: number, vecBytes: number, all: CodecKernel[]): void {
  const bytes = size * vecBytes;
  const layers = Math.log2(size);
  console.log(`fft + ifft: ${size} positions × ${vecBytes} B (${(bytes / MEGA).toFixed(1)} MB, ${layers} layers)`);
  for (const kernel of all) {
    const work = random(bytes);
    const transformed = rate(2 * bytes, () => {
      kernel.fft(work, vecBytes, 0, size, size, size);
      kernel.ifft(work, vecBytes, 0, size, size, size);
    });
    const perLayer = (transformed * layers) / GIGA;
    row(label(kernel), `${(transformed / GIGA).toFixed(2)} GB/s of work array, ${perLayer.toFixed(1)} GB/s per layer`);
  }
}

function main(): void {
  const { portable, natives } = kernels();
  const ssse3 = natives.length > 0 && natives[0].supportedSimd.includes('ssse3') ? [mustLoad('ssse3', 1)] : [];
  const all = [portable, ...natives];
  benchHashes('inner nodes: hashPrefixed(1, 64 B)', 64, 1 << 18, 1 << 12, all);
  benchHashes('leaves: hashPrefixed(0, 46 B)', 46, 1 << 18, 1 << 12, all);
  benchHashes('leaves: hashPrefixed(0, 302 B)', 302, 1 << 16, 1 << 11, all);
  benchMerkle(1000, 1000, 4, all);
  const fftKernels = [...natives.slice(0, 1), ...ssse3, ...natives.slice(1)];
  benchFft(1024, 4096, [portable, ...fftKernels]);
  benchFft(64, 64 * 1024, fftKernels);
  benchFft(16384, 64, fftKernels);
  benchFft(1024, 32 * 1024, fftKernels);
}

main();
