import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CodecKernel } from '../../src/codec/kernel/kernel.ts';
import { PortableKernel } from '../../src/codec/kernel/portable-kernel.ts';
import {
  defaultNativeAddonPath,
  loadNativeKernel,
  NATIVE_ADDON_ENV,
  SIMD_LEVELS,
  type NativeKernel,
} from '../../src/codec/kernel/native-kernel.ts';

/**
 * The native kernel must match the portable one byte for byte, on every SIMD level and with
 * threads. CI always builds the addon, so its absence fails these tests unless the run
 * explicitly opts out with WALRUS_CODEC_KERNEL=portable.
 */
const PORTABLE_ONLY = process.env.WALRUS_CODEC_KERNEL === 'portable';
const loaded = loadNativeKernel();
const skip = loaded.error !== undefined && PORTABLE_ONLY ? `native kernel not built (${loaded.error})` : false;

const portable = new PortableKernel();
const DIGEST = 32;
const BLOCK = 64;
const GF_MODULUS = 65535;

/** Every supported SIMD level single-threaded, plus the best level with all threads. */
function nativeVariants(): NativeKernel[] {
  if (loaded.error !== undefined) {
    assert.fail(`native kernel unavailable: ${loaded.error}; set WALRUS_CODEC_KERNEL=portable to test without it`);
  }
  const variants = loaded.kernel.supportedSimd.map((simd) => mustLoad(simd, 1));
  variants.push(mustLoad(loaded.kernel.simd, loaded.kernel.threads));
  if (loaded.kernel.threads > 1) variants.push(mustLoad('scalar', loaded.kernel.threads));
  return variants;
}

function mustLoad(simd: NativeKernel['simd'], threads: number): NativeKernel {
  const result = loadNativeKernel({ simd, threads });
  assert.ok(result.kernel, result.error);
  return result.kernel;
}

function label(kernel: CodecKernel): string {
  const native = kernel as Partial<NativeKernel>;
  return native.simd === undefined ? kernel.name : `${kernel.name}/${native.simd}/${native.threads}t`;
}

/** Deterministic bytes (mulberry32), so a failure reproduces. */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  if (Buffer.compare(actual, expected) === 0) return;
  let at = 0;
  while (actual[at] === expected[at]) at++;
  assert.fail(`${what}: first difference at byte ${at}: ${actual[at]} != ${expected[at]}`);
}

/**
 * Runs `op` with the reference kernel and with each kernel in `kernels` on fresh copies of
 * `inputs`, and checks that every buffer ends up identical.
 */
function expectSame(
  what: string,
  inputs: readonly Uint8Array[],
  op: (kernel: CodecKernel, buffers: Uint8Array[]) => void,
  kernels: readonly CodecKernel[] = nativeVariants(),
  reference: CodecKernel = portable,
): void {
  const expected = inputs.map((b) => b.slice());
  op(reference, expected);
  for (const kernel of kernels) {
    const actual = inputs.map((b) => b.slice());
    op(kernel, actual);
    actual.forEach((b, i) => assertSameBytes(b, expected[i], `${what} [${label(kernel)}] buffer ${i}`));
  }
}

test('BLAKE2b-256 known answer: "abc" as prefix 0x61 and data "bc"', { skip }, () => {
  const expected = 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319';
  for (const kernel of [portable, ...nativeVariants()]) {
    const out = new Uint8Array(DIGEST);
    kernel.hashPrefixed(0x61, new Uint8Array([0x62, 0x63]), 2, 1, out, 1);
    assert.equal(Buffer.from(out).toString('hex'), expected, label(kernel));
  }
});

test('hashPrefixed matches across lengths, counts, prefixes and output strides', { skip }, () => {
  const lengths = [0, 1, 7, 8, 63, 64, 65, 126, 127, 128, 129, 255, 256, 257, 300];
  const counts = [1, 2, 3, 4, 5, 8, 9, 17];
  let seed = 1;
  for (const len of lengths) {
    for (const count of counts) {
      for (const [prefix, outStride] of [
        [0, 1],
        [1, 2],
        [0xff, 3],
      ]) {
        const data = randomBytes(count * len, seed++);
        const out = randomBytes(DIGEST * ((count - 1) * outStride + 1), seed++);
        expectSame(`len ${len} count ${count} prefix ${prefix} stride ${outStride}`, [data, out], (k, [d, o]) =>
          k.hashPrefixed(prefix, d, len, count, o, outStride),
        );
      }
    }
  }
});

test('hashPrefixed of many back-to-back messages: final blocks loaded whole and masked, the last ones copied', { skip }, () => {
  // Enough messages that all but the last few have a whole block of data after their start.
  const lengths = [1, 2, 6, 7, 8, 9, 15, 16, 17, 46, 63, 64, 76, 120, 126, 127, 128, 129, 200, 254, 255, 302];
  let seed = 1000;
  for (const len of lengths) {
    for (const count of [24, 67, 130]) {
      const data = randomBytes(count * len, seed++);
      expectSame(`len ${len} count ${count}`, [data, new Uint8Array(count * DIGEST)], (k, [d, o]) => k.hashPrefixed(0, d, len, count, o, 1));
    }
  }
});

test('hashPrefixed on unaligned views, with outStride 0, and in place', { skip }, () => {
  const len = 45;
  const count = 11;
  const backing = randomBytes(3 + count * len + 5 + count * DIGEST, 7);
  expectSame('unaligned views', [backing], (k, [b]) => {
    const data = b.subarray(3, 3 + count * len);
    const out = b.subarray(3 + count * len + 5);
    k.hashPrefixed(0, data, len, count, out, 1);
  });
  expectSame('outStride 0 keeps the last digest', [randomBytes(count * len, 8), new Uint8Array(DIGEST)], (k, [d, o]) =>
    k.hashPrefixed(1, d, len, count, o, 0),
  );
  // Digest i overwrites the start of message i + 1: must behave as strictly sequential hashing.
  expectSame('in place', [randomBytes(count * 64 + DIGEST, 9)], (k, [b]) =>
    k.hashPrefixed(1, b, 64, count, b.subarray(40), 2),
  );
});

test('hashPrefixed large batches (threaded path) match', { skip }, () => {
  for (const [len, count] of [
    [64, 9000],
    [20, 5001],
    [300, 2500],
  ]) {
    const inputs = [randomBytes(len * count, len), new Uint8Array(count * DIGEST)];
    expectSame(`len ${len} count ${count}`, inputs, (k, [d, o]) => k.hashPrefixed(0, d, len, count, o, 1));
  }
});

test('merkleRoots matches for leaf counts 0–1000 and strided layouts', { skip }, () => {
  let seed = 100;
  for (const leafCount of [0, 1, 2, 3, 4, 5, 7, 8, 9, 33, 1000]) {
    for (const treeCount of [1, 3, 9]) {
      const layouts: [string, number, number, number][] = [
        // name, treeStride, leafStride, digests in the buffer
        ['tree-major', leafCount, 1, treeCount * leafCount],
        ['leaf-major', 1, treeCount, treeCount * leafCount],
        ['padded', leafCount * 2 + 1, 2, treeCount * (leafCount * 2 + 1)],
      ];
      for (const [layout, treeStride, leafStride, digests] of layouts) {
        const leaves = randomBytes(Math.max(1, digests) * DIGEST, seed++);
        const out = randomBytes(treeCount * DIGEST, seed++);
        expectSame(`${treeCount}×${leafCount} ${layout}`, [leaves, out], (k, [l, o]) =>
          k.merkleRoots(l, treeCount, leafCount, treeStride, leafStride, o),
        );
      }
    }
  }
});

test('merkleRoots large forests (threaded paths) and roots written over later leaves', { skip }, () => {
  expectSame('64 trees × 200 leaves', [randomBytes(64 * 200 * DIGEST, 1), new Uint8Array(64 * DIGEST)], (k, [l, o]) =>
    k.merkleRoots(l, 64, 200, 200, 1, o),
  );
  expectSame('1 tree × 10000 leaves', [randomBytes(10000 * DIGEST, 2), new Uint8Array(DIGEST)], (k, [l, o]) =>
    k.merkleRoots(l, 1, 10000, 0, 1, o),
  );
  // Root t lands on leaf 0 of tree t + 1, which the reference reads after writing it.
  expectSame('overlapping', [randomBytes(6 * 4 * DIGEST, 3)], (k, [b]) =>
    k.merkleRoots(b, 5, 4, 4, 1, b.subarray(4 * DIGEST)),
  );
});

function transform(
  kernel: CodecKernel,
  inverse: boolean,
  work: Uint8Array,
  vecBytes: number,
  pos: number,
  size: number,
  truncated: number,
  skewDelta: number,
): void {
  if (inverse) kernel.ifft(work, vecBytes, pos, size, truncated, skewDelta);
  else kernel.fft(work, vecBytes, pos, size, truncated, skewDelta);
}

/** Transform shapes: [vecBytes, pos, size, truncated, skewDelta]. */
function transformCases(): [number, number, number, number, number][] {
  const cases: [number, number, number, number, number][] = [];
  for (const size of [1, 2, 4, 8, 16, 32, 64, 128]) {
    // Odd and even cut-offs: a fused group's second half may start exactly at the truncation.
    const cutoffs = [size, size - 1, size >> 1, (size >> 1) + 1, (size >> 1) + 2, 0, 1, 2, 3, 6, 10];
    const truncations = new Set(cutoffs.filter((t) => t >= 0 && t <= size));
    for (const truncated of truncations) {
      for (const skewDelta of [0, size, 1000, GF_MODULUS - size]) {
        for (const [vecBytes, pos] of [
          [64, 0],
          [192, 3],
        ]) {
          cases.push([vecBytes, pos, size, truncated, skewDelta]);
        }
      }
    }
  }
  return cases;
}

for (const inverse of [false, true]) {
  const name = inverse ? 'ifft' : 'fft';
  test(`${name} matches across sizes, truncations, skew offsets and vector widths`, { skip }, () => {
    let seed = inverse ? 500 : 400;
    for (const [vecBytes, pos, size, truncated, skewDelta] of transformCases()) {
      const work = randomBytes((pos + size + 1) * vecBytes, seed++);
      const what = `${name} vb ${vecBytes} pos ${pos} size ${size} trunc ${truncated} skew ${skewDelta}`;
      expectSame(what, [work], (k, [w]) => transform(k, inverse, w, vecBytes, pos, size, truncated, skewDelta));
    }
  });

  test(`${name} on large work arrays (cache slicing, threads) matches the scalar native kernel`, { skip }, () => {
    const variants = nativeVariants();
    const reference = variants[0];
    for (const [vecBytes, size, truncated] of [
      [64 * 1024, 32, 29],
      [4096, 1024, 1000],
      [64, 4096, 4096],
    ]) {
      const work = randomBytes(size * vecBytes, vecBytes + size);
      expectSame(
        `${name} vb ${vecBytes} size ${size}`,
        [work],
        (k, [w]) => transform(k, inverse, w, vecBytes, 0, size, truncated, size),
        variants.slice(1),
        reference,
      );
    }
    // And the scalar native kernel against the reference on a mid-sized case.
    const mid = (k: CodecKernel, [w]: Uint8Array[]) => transform(k, inverse, w, 2048, 0, 64, 50, 64);
    expectSame(`${name} vb 2048 size 64`, [randomBytes(64 * 2048, 77)], mid, [reference]);
  });
}

test('mul matches for logM 0, 1, random, 65534 and 65535', { skip }, () => {
  let seed = 600;
  for (const logM of [0, 1, 2, 255, 4097, 30000, 65534, GF_MODULUS]) {
    for (const [vecBytes, pos] of [
      [64, 0],
      [320, 2],
    ]) {
      const work = randomBytes((pos + 2) * vecBytes, seed++);
      work.fill(0, pos * vecBytes, pos * vecBytes + 7); // zero elements take the x == 0 branch
      expectSame(`mul logM ${logM} vb ${vecBytes}`, [work], (k, [w]) => k.mul(w, vecBytes, pos, logM));
    }
  }
});

test('xorPositions matches, and overlapping ranges are refused', { skip }, () => {
  let seed = 700;
  for (const [vecBytes, dst, src, count] of [
    [64, 0, 1, 1],
    [128, 5, 0, 5],
    [192, 0, 8, 3],
    [64, 2, 9, 0],
  ]) {
    const work = randomBytes(12 * vecBytes, seed++);
    expectSame(`xor vb ${vecBytes} ${dst}←${src} ×${count}`, [work], (k, [w]) =>
      k.xorPositions(w, vecBytes, dst, src, count),
    );
  }
  for (const kernel of nativeVariants()) {
    assert.throws(() => kernel.xorPositions(new Uint8Array(640), 64, 0, 2, 3), RangeError);
  }
});

test('formalDerivative matches', { skip }, () => {
  let seed = 800;
  for (const count of [0, 1, 2, 3, 4, 5, 8, 13, 16, 33, 64]) {
    for (const vecBytes of [64, 256]) {
      let reach = 1;
      while (reach < count) reach <<= 1;
      const work = randomBytes(reach * vecBytes, seed++);
      expectSame(`formalDerivative ${count} vb ${vecBytes}`, [work], (k, [w]) =>
        k.formalDerivative(w, vecBytes, count),
      );
    }
  }
  expectSame('formalDerivative large', [randomBytes(1024 * 4096, 801)], (k, [w]) => k.formalDerivative(w, 4096, 1024));
});

const SYMBOL_SIZES = [2, 6, 62, 64, 66, 126, 128, 130, 302, 3, 65];

/** [srcStart, srcStride extra, dstElement, dstElementStride extra, count] */
const PACK_LAYOUTS: [number, number, number, number, number][] = [
  [0, 0, 0, 0, 1],
  [0, 0, 0, 0, 5],
  [3, 7, 1, 5, 4],
  [0, 1, 31, 0, 3],
  [5, 0, 33, 32, 6],
  [0, 0, 64, 1, 2],
];

test('packSymbols matches across symbol sizes and strides', { skip }, () => {
  let seed = 900;
  for (const symbolSize of SYMBOL_SIZES) {
    const elements = symbolSize >> 1;
    for (const [srcStart, srcExtra, dstElement, dstExtra, count] of PACK_LAYOUTS) {
      const srcStride = symbolSize + srcExtra;
      const dstStride = elements + dstExtra;
      const src = randomBytes(srcStart + count * srcStride, seed++);
      const lastElement = dstElement + (count - 1) * dstStride + elements;
      const dst = randomBytes((Math.ceil(lastElement / 32) + 1) * BLOCK, seed++);
      const what = `pack ss ${symbolSize} layout ${srcStart}/${srcStride}/${dstElement}/${dstStride}×${count}`;
      expectSame(what, [src, dst], (k, [s, d]) =>
        k.packSymbols(s, srcStart, srcStride, symbolSize, count, d, dstElement, dstStride),
      );
    }
  }
});

test('unpackSymbols matches across symbol sizes and strides', { skip }, () => {
  let seed = 1000;
  for (const symbolSize of SYMBOL_SIZES) {
    const elements = symbolSize >> 1;
    for (const [dstStart, dstExtra, srcElement, srcExtra, count] of PACK_LAYOUTS) {
      const dstStride = symbolSize + dstExtra;
      const srcStride = elements + srcExtra;
      const lastElement = srcElement + (count - 1) * srcStride + elements;
      const src = randomBytes((Math.ceil(lastElement / 32) + 1) * BLOCK, seed++);
      const dst = randomBytes(dstStart + count * dstStride, seed++);
      const what = `unpack ss ${symbolSize} layout ${srcElement}/${srcStride}/${dstStart}/${dstStride}×${count}`;
      expectSame(what, [src, dst], (k, [s, d]) =>
        k.unpackSymbols(s, srcElement, srcStride, symbolSize, count, d, dstStart, dstStride),
      );
    }
  }
});

test('pack and unpack of large symbol batches (threaded path) round-trip', { skip }, () => {
  const symbolSize = 4094;
  const count = 600;
  const src = randomBytes(symbolSize * count, 1100);
  const elementsPerSymbol = symbolSize >> 1;
  const dstStride = Math.ceil(elementsPerSymbol / 32) * 32;
  const work = new Uint8Array(count * dstStride * 2);
  expectSame('pack large', [src, work], (k, [s, w]) =>
    k.packSymbols(s, 0, symbolSize, symbolSize, count, w, 0, dstStride),
  );
  for (const kernel of nativeVariants()) {
    const packed = new Uint8Array(work.length);
    kernel.packSymbols(src, 0, symbolSize, symbolSize, count, packed, 0, dstStride);
    const back = new Uint8Array(src.length);
    kernel.unpackSymbols(packed, 0, dstStride, symbolSize, count, back, 0, symbolSize);
    assertSameBytes(back, src, `round trip [${label(kernel)}]`);
  }
});

test('native kernel refuses out-of-bounds arguments instead of touching memory', { skip }, () => {
  for (const kernel of nativeVariants()) {
    assert.throws(() => kernel.hashPrefixed(0, new Uint8Array(10), 4, 3, new Uint8Array(96), 1), RangeError);
    assert.throws(() => kernel.hashPrefixed(0, new Uint8Array(12), 4, 3, new Uint8Array(95), 1), RangeError);
    assert.throws(() => kernel.hashPrefixed(256, new Uint8Array(12), 4, 3, new Uint8Array(96), 1), RangeError);
    assert.throws(() => kernel.merkleRoots(new Uint8Array(32 * 7), 2, 4, 4, 1, new Uint8Array(64)), RangeError);
    assert.throws(() => kernel.fft(new Uint8Array(64 * 7), 64, 0, 8, 8, 0), RangeError);
    assert.throws(() => kernel.fft(new Uint8Array(64 * 8), 64, 0, 6, 6, 0), RangeError);
    assert.throws(() => kernel.fft(new Uint8Array(64 * 8), 64, 0, 8, 8, GF_MODULUS), RangeError);
    assert.throws(() => kernel.ifft(new Uint8Array(64 * 8), 96, 0, 4, 4, 0), RangeError);
    assert.throws(() => kernel.mul(new Uint8Array(64), 64, 1, 0), RangeError);
    assert.throws(() => kernel.mul(new Uint8Array(64), 64, 0, 65536), RangeError);
    assert.throws(() => kernel.formalDerivative(new Uint8Array(64 * 5), 64, 5), RangeError);
    assert.throws(() => kernel.packSymbols(new Uint8Array(10), 0, 10, 12, 1, new Uint8Array(128), 0, 6), RangeError);
    assert.throws(() => kernel.unpackSymbols(new Uint8Array(64), 30, 0, 6, 1, new Uint8Array(6), 0, 6), RangeError);
    // Element indices so large that their byte offset would wrap around 2^64.
    const hugeStride = 2 ** 53 - 1;
    const symbol = new Uint8Array(6);
    assert.throws(() => kernel.packSymbols(symbol, 0, 0, 6, 1025, new Uint8Array(64), 0, hugeStride), RangeError);
    const notBytes = [1, 2] as unknown as Uint8Array;
    assert.throws(() => kernel.hashPrefixed(0, notBytes, 1, 1, new Uint8Array(32), 1), TypeError);
    assert.throws(() => kernel.mul(new Uint8Array(64), 64, 0.5, 0), RangeError);
  }
});

test('worker threads can load the addon and hash while the main thread does', { skip }, async () => {
  const [kernel] = nativeVariants().slice(-1);
  const count = 20000;
  const data = randomBytes(count * 64, 1200);
  const expected = new Uint8Array(count * DIGEST);
  kernel.hashPrefixed(1, data, 64, count, expected, 1);
  // Plain JavaScript worker: it loads the .node file itself, as a worker-thread user would.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData.path);
    const kernel = addon.createKernel(addon.simdLevels[addon.simdLevels.length - 1], addon.maxThreads);
    const out = new Uint8Array(workerData.count * 32);
    for (let round = 0; round < 20; round++) kernel.hashPrefixed(1, workerData.data, 64, workerData.count, out, 1);
    parentPort.postMessage(out);
  `;
  const path = process.env[NATIVE_ADDON_ENV] ?? defaultNativeAddonPath();
  const worker = new Worker(source, { eval: true, workerData: { path, data, count } });
  const fromWorker = new Promise<Uint8Array>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Meanwhile the main thread keeps the shared thread pool busy.
  for (let round = 0; round < 20; round++) {
    const out = new Uint8Array(count * DIGEST);
    kernel.hashPrefixed(1, data, 64, count, out, 1);
    assertSameBytes(out, expected, `main thread round ${round}`);
  }
  assertSameBytes(await fromWorker, expected, 'worker thread');
  await worker.terminate();
});

test('the loader reports a missing addon instead of throwing', () => {
  const saved = process.env[NATIVE_ADDON_ENV];
  process.env[NATIVE_ADDON_ENV] = '/nonexistent';
  try {
    const result = loadNativeKernel();
    assert.equal(result.kernel, undefined);
    assert.match(result.error ?? '', /\/nonexistent/);
  } finally {
    if (saved === undefined) delete process.env[NATIVE_ADDON_ENV];
    else process.env[NATIVE_ADDON_ENV] = saved;
  }
  const notAnAddon = join(mkdtempSync(join(tmpdir(), 'walrus-codec-')), 'broken.node');
  writeFileSync(notAnAddon, 'not a shared object');
  try {
    const broken = loadNativeKernel({ addonPath: notAnAddon });
    assert.equal(broken.kernel, undefined);
    assert.match(broken.error ?? '', /failed to load/);
  } finally {
    rmSync(dirname(notAnAddon), { recursive: true });
  }
});

test('the loader offers only SIMD levels this CPU supports', { skip }, () => {
  const supported = nativeVariants()[0].supportedSimd;
  assert.equal(supported[0], 'scalar');
  for (const simd of SIMD_LEVELS.filter((level) => !supported.includes(level))) {
    assert.match(loadNativeKernel({ simd }).error ?? '', /not supported/);
  }
  assert.throws(() => loadNativeKernel({ threads: 0 }), RangeError);
});
