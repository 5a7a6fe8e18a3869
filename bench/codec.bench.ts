/**
 * Codec benchmark at n = 1000: our codec (the active kernel) against @mysten/walrus-wasm, the
 * official encoder, in the same run. Every case runs in a fresh child process so its peak RSS is
 * its own. Prints median wall time, the ratio (wasm time / ours) and peak RSS.
 *
 *   encode  = encode + metadata (blob ID): ours encodeBlob; wasm BlobEncoder.encode
 *   decode  = verify p primary slivers + decode + default consistency check (ours);
 *             wasm BlobEncoder.decode + compute_metadata (the TS SDK's read path, whose only check
 *             is recomputing the blob ID)
 * The p slivers are a fixed random subset, so decoding needs real Reed–Solomon work.
 *
 * Beside each encode, the floor this machine allows (bench/codec-floor.ts): the encode's BLAKE2b
 * compressions and FFT work at the rates the same kernel reaches in the same process, and how far
 * our time is from it. `--simd avx2` caps the native kernel's instruction set (WALRUS_CODEC_SIMD),
 * to measure on an AVX-512 machine what an AVX2-only one would do.
 *
 * Usage: npm run bench:codec [-- --sizes 1,16,64] [--runs N] [--kernel native|portable] [--simd LEVEL] [--ops encode,decode]
 */
import { spawnSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import { parseArgs } from 'node:util';
import { countingKernel, measureFloor, type Floor } from './codec-floor.ts';
import { decodeBlob } from '../src/codec/decoder.ts';
import { encodeBlob } from '../src/codec/encoder.ts';
import { kernelSelection, selectKernel, SIMD_ENV } from '../src/codec/kernel/select-kernel.ts';
import { EncodingParams } from '../src/codec/params.ts';
import { decodeSliver, encodeSliver, type Sliver } from '../src/codec/sliver.ts';
import { verifySlivers } from '../src/codec/verify-sliver.ts';
import { randomBytes, randomSubset } from '../test/fixtures/random.ts';

const N = 1000;
const MIB = 1024 * 1024;

interface CaseResult {
  medianMs: number;
  /** Median process CPU time of one run, every thread's summed. */
  cpuMs: number;
  peakRssMiB: number;
  /** RSS of the case's process before it made its input: the runtime's own share of the peak. */
  baselineRssMiB: number;
  /** Our encodes only: the floor of one encode on this machine (see codec-floor.ts). */
  floor?: Floor;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Medians of `runs` timed runs (wall, and process CPU with all threads summed) after one untimed warm-up run (JIT, allocations), the same for both sides. */
function time(runs: number, body: () => void): { wallMs: number; cpuMs: number } {
  body();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    body();
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/** Runs one (implementation, operation, size) case in this process; prints its result as JSON. */
async function runCase(impl: string, op: string, sizeMiB: number, runs: number): Promise<void> {
  const baselineRssMiB = process.memoryUsage().rss / MIB;
  const params = EncodingParams.forShards(N);
  const blob = randomBytes(sizeMiB * MIB, sizeMiB);
  const subset = randomSubset(N, params.primarySourceSymbols, 42);
  let ms: { wallMs: number; cpuMs: number };
  let floor: Floor | undefined;
  if (impl === 'ours') {
    const kernel = selectKernel();
    if (op === 'encode') {
      ms = time(runs, () => encodeBlob(blob, params, kernel));
      // One more, untimed, encode through a counting kernel gives the work the floor is made of.
      const counted = countingKernel(kernel);
      encodeBlob(blob, params, counted.kernel);
      floor = measureFloor(kernel, counted.work);
    } else {
      const encoded = encodeBlob(blob, params, kernel);
      const withId = { blobId: encoded.blobId, metadata: encoded.metadata };
      // Slivers arrive as BCS off the wire; parsing them is part of the read path.
      const wire = subset.map((i) =>
        encodeSliver({ type: 'primary', index: i, symbolSize: encoded.symbolSize, data: encoded.primarySliver(i) }),
      );
      ms = time(runs, () => {
        const slivers: Sliver[] = wire.map((bytes) => decodeSliver(bytes, 'primary'));
        if (verifySlivers(slivers, encoded.metadata, params, kernel).some((error) => error)) throw new Error('bad sliver');
        decodeBlob(withId, slivers, params, kernel, { consistencyCheck: 'default', sliversVerified: true });
      });
    }
  } else {
    // Loaded only here, so that our cases' RSS does not include the wasm module.
    const { BlobEncoder } = await import('@mysten/walrus-wasm');
    const { oracleEncode } = await import('../test/fixtures/oracle.ts');
    const encoder = new BlobEncoder(N);
    if (op === 'encode') {
      ms = time(runs, () => oracleEncode(blob, N));
    } else {
      const oracle = oracleEncode(blob, N);
      const wire = subset.map((i) => oracle.primaryBcs[i]);
      ms = time(runs, () => {
        const out = new Uint8Array(blob.length);
        encoder.decode(Array.from(oracle.blobId), BigInt(blob.length), wire, out);
        encoder.compute_metadata(out);
      });
    }
  }
  const result: CaseResult = { medianMs: ms.wallMs, cpuMs: ms.cpuMs, peakRssMiB: process.resourceUsage().maxRSS / 1024, baselineRssMiB, floor };
  process.stdout.write(JSON.stringify(result));
}

function spawnCase(impl: string, op: string, sizeMiB: number, runs: number, kernel?: string, simd?: string): CaseResult {
  const env = { ...process.env, ...(kernel ? { WALRUS_CODEC_KERNEL: kernel } : {}), ...(simd ? { [SIMD_ENV]: simd } : {}) };
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--case', `${impl}:${op}:${sizeMiB}`, '--runs', String(runs)],
    { env, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`case ${impl} ${op} ${sizeMiB} MiB failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as CaseResult;
}

function rss(result: CaseResult): string {
  return `${result.peakRssMiB.toFixed(0)} (${result.baselineRssMiB.toFixed(0)}) MiB`;
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

/** The floor columns of an encode: floor ms, the ratio the floor would give, ours ÷ floor in wall and in CPU time. */
function floorColumns(ours: CaseResult, wasm: CaseResult): string {
  const { floor } = ours;
  if (!floor) return '';
  return (
    `${pad(floor.floorMs.toFixed(0), 9)} ${pad((wasm.medianMs / floor.floorMs).toFixed(1) + 'x', 11)} ${pad((ours.medianMs / floor.floorMs).toFixed(2) + 'x', 11)} ` +
    `${pad(ours.cpuMs.toFixed(0) + ' / ' + floor.floorCpuMs.toFixed(0), 14)} ${pad((ours.cpuMs / floor.floorCpuMs).toFixed(2) + 'x', 9)}`
  );
}

/** How the floor was made, once per size: the work counted and the rates measured. */
function floorDetail(sizeMiB: number, floor: Floor): string {
  const mega = 1e6;
  const giga = 1e9;
  return (
    `  floor of ${sizeMiB} MiB: ${(floor.compressions / mega).toFixed(2)} M BLAKE2b compressions at ${(floor.compressionsPerSecond / mega).toFixed(1)} M/s` +
    ` = ${((1000 * floor.compressions) / floor.compressionsPerSecond).toFixed(0)} ms, FFT ${(floor.fftByteLayers / giga).toFixed(2)} GB·layers at ` +
    `${(floor.fftByteLayersPerSecond / giga).toFixed(1)} GB·layers/s = ${((1000 * floor.fftByteLayers) / floor.fftByteLayersPerSecond).toFixed(0)} ms`
  );
}

const { values } = parseArgs({
  options: {
    case: { type: 'string' },
    runs: { type: 'string' },
    sizes: { type: 'string', default: '1,16,64' },
    kernel: { type: 'string' },
    simd: { type: 'string' },
    ops: { type: 'string', default: 'encode,decode' },
  },
});

if (values.case) {
  const [impl, op, size] = values.case.split(':');
  await runCase(impl, op, Number(size), Number(values.runs ?? 1));
} else {
  const sizes = values.sizes.split(',').map(Number);
  if (values.simd) process.env[SIMD_ENV] = values.simd;
  const kernel = values.kernel === 'portable' ? 'portable (forced)' : kernelSelection().description;
  console.log(`codec benchmark, n = ${N}; ${kernel}; CPU ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Linux ${release()}, node ${process.version}; times are medians`);
  console.log('RSS columns: peak RSS of the case process (its runtime baseline before making the input in brackets)');
  console.log(
    'floor: BLAKE2b compressions + FFT work of one encode at this kernel\'s peak rates, measured in the case process (all threads); ' +
      'floor ratio = wasm ÷ floor, the best ratio this machine allows; CPU columns: our encode\'s process CPU time and the floor in CPU time ' +
      '(threads summed), which stay fair on a machine busy with other work',
  );
  console.log(
    `${pad('operation', 10)} ${pad('size', 8)} ${pad('ours ms', 10)} ${pad('wasm ms', 10)} ${pad('ratio', 8)} ${pad('ours RSS', 16)} ${pad('wasm RSS', 16)} ` +
      `${pad('floor ms', 9)} ${pad('floor ratio', 11)} ${pad('ours÷floor', 11)} ${pad('CPU ours/floor', 14)} ${pad('CPU ÷', 9)}`,
  );
  const details: string[] = [];
  for (const op of values.ops.split(',')) {
    for (const sizeMiB of sizes) {
      const runs = Number(values.runs ?? (sizeMiB <= 1 ? 5 : sizeMiB <= 16 ? 3 : 1));
      const ours = spawnCase('ours', op, sizeMiB, runs, values.kernel, values.simd);
      const wasm = spawnCase('wasm', op, sizeMiB, runs);
      console.log(
        `${pad(op, 10)} ${pad(sizeMiB + ' MiB', 8)} ${pad(ours.medianMs.toFixed(0), 10)} ${pad(wasm.medianMs.toFixed(0), 10)} ` +
          `${pad((wasm.medianMs / ours.medianMs).toFixed(1) + 'x', 8)} ${pad(rss(ours), 16)} ${pad(rss(wasm), 16)} ${floorColumns(ours, wasm)}`,
      );
      if (ours.floor) details.push(floorDetail(sizeMiB, ours.floor));
    }
  }
  for (const line of details) console.log(line);
}
