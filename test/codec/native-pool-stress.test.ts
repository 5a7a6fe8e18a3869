/**
 * Stress test for the native codec's thread pool (native/src/pool.cc): many back-to-back and
 * concurrent native encodes, decodes and large kernel calls, each checked byte for byte against
 * the portable kernel's result.
 *
 * What it hunts: a pool worker that noticed one job and acts on the next one (runs a part twice,
 * or a part of a half-published job). FFT parts work in place, so a part run twice changes the
 * output. That needs a worker to fall behind, so the loops mix back-to-back calls (jobs published
 * while a worker is still leaving the last one) with short idle gaps (workers go to sleep and wake
 * late, after the caller has done the job alone and moved on), and several JS threads share the
 * one pool at once, more threads than cores, so workers are also preempted at random points.
 *
 * This file is also the worker threads' entry: off the main thread it registers no tests and runs
 * the stress loop it is given (see {@link workerMain}).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeBlob } from '../../src/codec/decoder.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import type { CodecKernel } from '../../src/codec/kernel/kernel.ts';
import { defaultNativeAddonPath, loadNativeKernel, NATIVE_ADDON_ENV } from '../../src/codec/kernel/native-kernel.ts';
import { PortableKernel } from '../../src/codec/kernel/portable-kernel.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import type { Sliver, SliverType } from '../../src/codec/sliver.ts';
import { randomBytes, randomSubset } from '../fixtures/random.ts';

const ADDON_PATH = process.env[NATIVE_ADDON_ENV] ?? defaultNativeAddonPath();

/** How long each stress phase runs; the portable references take about as long again. */
const SINGLE_THREAD_MS = 3000;
const MULTI_THREAD_MS = 5000;
/** Stop a loop after this many mismatches: one already fails the test. */
const MAX_FAILURES = 5;

/**
 * Blobs: sizes from all-serial (every call below the native parallel thresholds) to ones whose
 * transforms, packs, hashes and Merkle levels all split into parts, across shard counts.
 */
const BLOB_CASES: readonly { readonly n: number; readonly size: number }[] = [
  { n: 4, size: 3_001 },
  { n: 7, size: 120_000 },
  { n: 10, size: 300_000 },
  { n: 10, size: 1_000_000 },
  { n: 31, size: 450_000 },
  { n: 67, size: 700_000 },
];

/**
 * Single large kernel calls. Column-split transforms of wide vectors give the most parts
 * (threads × 4, up to 64); the others split by blocks, lane groups, trees or tree levels.
 */
type RawOp =
  | { readonly kind: 'fft' | 'ifft'; readonly vecBytes: number; readonly size: number; readonly truncated: number }
  | { readonly kind: 'hash'; readonly len: number; readonly count: number }
  | { readonly kind: 'merkle'; readonly trees: number; readonly leaves: number };

const RAW_OPS: readonly RawOp[] = [
  { kind: 'fft', vecBytes: 65536, size: 16, truncated: 13 },
  { kind: 'ifft', vecBytes: 65536, size: 16, truncated: 16 },
  { kind: 'fft', vecBytes: 16384, size: 32, truncated: 29 },
  { kind: 'ifft', vecBytes: 16384, size: 32, truncated: 31 },
  { kind: 'fft', vecBytes: 1024, size: 1024, truncated: 1000 },
  { kind: 'ifft', vecBytes: 512, size: 4096, truncated: 4000 },
  { kind: 'hash', len: 64, count: 12000 },
  { kind: 'hash', len: 300, count: 2500 },
  { kind: 'merkle', trees: 64, leaves: 200 },
  { kind: 'merkle', trees: 1, leaves: 10000 },
];

/** A blob case with the portable kernel's encoding of it; buffers are shared with the workers. */
interface BlobReference {
  readonly n: number;
  readonly blob: Uint8Array;
  readonly blobId: Uint8Array;
  readonly symbolSize: number;
  /** Primary slivers 0..n−1, then secondary slivers 0..n−1, back to back. */
  readonly slivers: Uint8Array;
  /** Secondary slivers to decode from (a random s of them); primary ones are the p repair slivers. */
  readonly secondaryIndices: readonly number[];
}

/** A raw call's input and the portable kernel's output for it (the work array after the call). */
interface RawReference {
  readonly op: RawOp;
  readonly input: Uint8Array;
  readonly expected: Uint8Array;
}

interface References {
  readonly blobs: readonly BlobReference[];
  readonly raw: readonly RawReference[];
}

interface StressConfig {
  readonly addonPath: string;
  readonly references: References;
  readonly durationMs: number;
  /** Varies the order of work and the idle-gap pattern between threads. */
  readonly seed: number;
}

interface StressResult {
  readonly rounds: number;
  readonly calls: number;
  readonly failures: readonly string[];
}

/** A Uint8Array over shared memory, so workers read the references without a copy each. */
function shared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

function buildReferences(): References {
  const portable = new PortableKernel();
  const blobs = BLOB_CASES.map(({ n, size }, i): BlobReference => {
    const params = EncodingParams.forShards(n);
    const blob = randomBytes(size, 1000 + i);
    const encoded = encodeBlob(blob, params, portable);
    const slivers = new Uint8Array(n * params.primarySliverSize(encoded.symbolSize) + n * params.primarySourceSymbols * encoded.symbolSize);
    let at = 0;
    for (const sliver of [...sliverRange(n, (j) => encoded.primarySliver(j)), ...sliverRange(n, (j) => encoded.secondarySliver(j))]) {
      slivers.set(sliver, at);
      at += sliver.length;
    }
    assert.equal(at, slivers.length);
    return {
      n,
      blob: shared(blob),
      blobId: shared(encoded.blobId),
      symbolSize: encoded.symbolSize,
      slivers: shared(slivers),
      secondaryIndices: randomSubset(n, params.secondarySourceSymbols, 2000 + i),
    };
  });
  const raw = RAW_OPS.map((op, i): RawReference => {
    const input = randomBytes(rawInputLength(op), 3000 + i);
    const expected = input.slice();
    runRaw(portable, op, expected);
    return { op, input: shared(input), expected: shared(expected) };
  });
  return { blobs, raw };
}

function sliverRange(n: number, get: (index: number) => Uint8Array): Uint8Array[] {
  return Array.from({ length: n }, (_, j) => get(j));
}

const DIGEST = 32;

/** One buffer per raw call: the work array, or the messages/leaves followed by the digests/roots. */
function rawInputLength(op: RawOp): number {
  switch (op.kind) {
    case 'fft':
    case 'ifft':
      return op.vecBytes * op.size;
    case 'hash':
      return op.len * op.count + DIGEST * op.count;
    case 'merkle':
      return DIGEST * op.trees * op.leaves + DIGEST * op.trees;
  }
}

function runRaw(kernel: CodecKernel, op: RawOp, buffer: Uint8Array): void {
  switch (op.kind) {
    case 'fft':
      kernel.fft(buffer, op.vecBytes, 0, op.size, op.truncated, op.size);
      return;
    case 'ifft':
      kernel.ifft(buffer, op.vecBytes, 0, op.size, op.truncated, op.size);
      return;
    case 'hash': {
      const data = op.len * op.count;
      kernel.hashPrefixed(0, buffer.subarray(0, data), op.len, op.count, buffer.subarray(data), 1);
      return;
    }
    case 'merkle': {
      const leaves = DIGEST * op.trees * op.leaves;
      kernel.merkleRoots(buffer.subarray(0, leaves), op.trees, op.leaves, op.leaves, 1, buffer.subarray(leaves));
      return;
    }
  }
}

function rawLabel(op: RawOp): string {
  switch (op.kind) {
    case 'fft':
    case 'ifft':
      return `${op.kind} ${op.size}×${op.vecBytes} B`;
    case 'hash':
      return `hashPrefixed ${op.count}×${op.len} B`;
    case 'merkle':
      return `merkleRoots ${op.trees}×${op.leaves}`;
  }
}

/** Undefined when equal, else where they first differ. */
function difference(actual: Uint8Array, expected: Uint8Array): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  if (Buffer.compare(actual, expected) === 0) return undefined;
  let at = 0;
  while (actual[at] === expected[at]) at++;
  return `first difference at byte ${at} of ${actual.length}: ${actual[at]} != ${expected[at]}`;
}

/** Encodes the blob and decodes it from primary and from secondary slivers; returns what differed. */
function checkBlob(kernel: CodecKernel, ref: BlobReference): string[] {
  const problems: string[] = [];
  const params = EncodingParams.forShards(ref.n);
  const { n, primarySourceSymbols: p } = params;
  const ss = ref.symbolSize;
  const primaryBytes = params.primarySliverSize(ss);
  const secondaryBytes = p * ss;
  const expectedSliver = (type: SliverType, index: number) =>
    type === 'primary'
      ? ref.slivers.subarray(index * primaryBytes, (index + 1) * primaryBytes)
      : ref.slivers.subarray(n * primaryBytes + index * secondaryBytes, n * primaryBytes + (index + 1) * secondaryBytes);

  const encoded = encodeBlob(ref.blob, params, kernel);
  const idDiff = difference(encoded.blobId, ref.blobId);
  if (idDiff) problems.push(`encode: blob ID: ${idDiff}`);
  for (let i = 0; i < n; i++) {
    for (const type of ['primary', 'secondary'] as const) {
      const diff = difference(type === 'primary' ? encoded.primarySliver(i) : encoded.secondarySliver(i), expectedSliver(type, i));
      if (diff) problems.push(`encode: ${type} sliver ${i}: ${diff}`);
    }
  }

  // Decode from the reference slivers, so a bad encode above does not also fail these.
  const metadata = { blobId: ref.blobId, metadata: encoded.metadata };
  const decodeFrom = (type: SliverType, indices: readonly number[]) => {
    const slivers: Sliver[] = indices.map((index) => ({ type, index, symbolSize: ss, data: expectedSliver(type, index) }));
    try {
      const diff = difference(decodeBlob(metadata, slivers, params, kernel), ref.blob);
      if (diff) problems.push(`decode from ${type} slivers: ${diff}`);
    } catch (err) {
      problems.push(`decode from ${type} slivers threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (idDiff === undefined) {
    // Only repair slivers: the decode has to run the full Reed–Solomon recovery.
    decodeFrom('primary', Array.from({ length: p }, (_, i) => n - 1 - i));
    decodeFrom('secondary', ref.secondaryIndices);
  }
  return problems;
}

/** Blocks the thread for about `ms` (workers of the pool spin for 0.2 ms, then sleep). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs blob checks and raw calls in a seed-dependent order until `durationMs` has passed, on the
 * best SIMD level and on scalar (slower parts shift the timing), both with all threads.
 */
function stress({ addonPath, references, durationMs, seed }: StressConfig): StressResult {
  const kernels = (['best', 'scalar'] as const).map((level) => {
    const loaded = loadNativeKernel(level === 'best' ? { addonPath } : { addonPath, simd: 'scalar' });
    if (!loaded.kernel) throw new Error(loaded.error);
    return loaded.kernel;
  });
  const failures: string[] = [];
  const jobs = references.blobs.length + references.raw.length;
  let rounds = 0;
  let calls = 0;
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline && failures.length < MAX_FAILURES) {
    for (let j = 0; j < jobs && failures.length < MAX_FAILURES && performance.now() < deadline; j++) {
      const kernel = kernels[(rounds + j) & 1];
      const tag = `${kernel.simd}/${kernel.threads}t, thread seed ${seed}, round ${rounds}`;
      const pick = Math.floor(random() * jobs);
      if (pick < references.blobs.length) {
        const ref = references.blobs[pick];
        for (const problem of checkBlob(kernel, ref)) failures.push(`n=${ref.n} ${ref.blob.length} B [${tag}]: ${problem}`);
        calls++;
      } else {
        // Raw calls come in bursts: the same call several times back to back, then maybe a gap.
        const { op, input, expected } = references.raw[pick - references.blobs.length];
        const burst = 1 + Math.floor(random() * 4);
        for (let b = 0; b < burst; b++) {
          const buffer = input.slice();
          runRaw(kernel, op, buffer);
          calls++;
          const diff = difference(buffer, expected);
          if (diff) failures.push(`${rawLabel(op)} [${tag}, burst call ${b}]: ${diff}`);
        }
      }
      if (random() < 0.3) pause(0.3 + random() * 1.5);
    }
    rounds++;
  }
  return { rounds, calls, failures: failures.slice(0, MAX_FAILURES) };
}

/** In a worker thread: wait for the start signal, stress, report. */
function workerMain(): void {
  const { config, start } = workerData as { config: StressConfig; start: Int32Array };
  parentPort!.postMessage({ ready: true });
  Atomics.wait(start, 0, 0);
  try {
    parentPort!.postMessage({ result: stress(config) });
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}

/**
 * Starts a worker thread on this file. Node 20's ESM loader hooks do not reach worker threads, so
 * the worker registers tsx's CommonJS hook itself and loads this file through it.
 */
function startWorker(config: StressConfig, start: Int32Array): Worker {
  const require = createRequire(import.meta.url);
  const source = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(fileURLToPath(import.meta.url))});`;
  return new Worker(source, { eval: true, workerData: { config, start } });
}

function assertNoFailures(results: readonly StressResult[]): void {
  const failures = results.flatMap((r) => r.failures);
  assert.equal(failures.length, 0, `native results differ from the portable kernel's:\n${failures.join('\n')}`);
}

if (!isMainThread && (workerData as { config?: StressConfig } | null)?.config) {
  workerMain();
} else if (isMainThread) {
  const skip = existsSync(ADDON_PATH) ? false : `native codec addon not built (${ADDON_PATH} does not exist)`;
  let references: References | undefined;
  const getReferences = () => (references ??= buildReferences());

  test('native pool: back-to-back encodes, decodes and large calls on one thread match the portable kernel', { skip }, (t) => {
    const loaded = loadNativeKernel({ addonPath: ADDON_PATH });
    assert.ok(loaded.kernel, loaded.error);
    const result = stress({ addonPath: ADDON_PATH, references: getReferences(), durationMs: SINGLE_THREAD_MS, seed: 1 });
    t.diagnostic(`${result.calls} native calls in ${result.rounds} rounds`);
    assertNoFailures([result]);
    assert.ok(result.calls > 0);
  });

  test('native pool: several JS threads at once match the portable kernel', { skip }, async (t) => {
    const config = { addonPath: ADDON_PATH, references: getReferences(), durationMs: MULTI_THREAD_MS };
    // More JS threads than cores, so pool workers are preempted at arbitrary points too.
    const workerCount = Math.min(4, availableParallelism() + 1);
    const start = new Int32Array(new SharedArrayBuffer(4));
    const workers: Worker[] = [];
    try {
      const outcomes = Array.from({ length: workerCount }, (_, i) => {
        const worker = startWorker({ ...config, seed: 100 + i }, start);
        workers.push(worker);
        let ready: () => void;
        const isReady = new Promise<void>((resolve) => (ready = resolve));
        const result = new Promise<StressResult>((resolve, reject) => {
          worker.on('message', (message: { ready?: true; result?: StressResult; error?: string }) => {
            if (message.ready) ready();
            else if (message.result) resolve(message.result);
            else reject(new Error(`stress worker ${i} failed: ${message.error}`));
          });
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`stress worker ${i} exited (${code}) without a result`)));
        });
        // A worker that fails to start must not leave the test waiting for its 'ready'.
        return { ready: Promise.race([isReady, result.then(() => undefined)]), result };
      });
      await Promise.all(outcomes.map((o) => o.ready));
      Atomics.store(start, 0, 1);
      Atomics.notify(start, 0);
      // The main thread takes part as well: it is the thread real callers use.
      const own = stress({ ...config, seed: 99 });
      const results = [own, ...(await Promise.all(outcomes.map((o) => o.result)))];
      t.diagnostic(`${workerCount + 1} JS threads; native calls per thread: ${results.map((r) => r.calls).join(', ')}`);
      assertNoFailures(results);
      assert.ok(results.every((r) => r.calls > 0), 'every thread made calls');
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
}
