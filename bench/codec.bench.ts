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
 * Usage: npm run bench:codec [-- --sizes 1,16,64] [--runs N] [--kernel native|portable]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { decodeBlob } from '../src/codec/decoder.ts';
import { encodeBlob } from '../src/codec/encoder.ts';
import { selectKernel } from '../src/codec/kernel/select-kernel.ts';
import { EncodingParams } from '../src/codec/params.ts';
import { decodeSliver, encodeSliver, type Sliver } from '../src/codec/sliver.ts';
import { verifySlivers } from '../src/codec/verify-sliver.ts';
import { randomBytes, randomSubset } from '../test/fixtures/random.ts';

const N = 1000;
const MIB = 1024 * 1024;

interface CaseResult {
  medianMs: number;
  peakRssMiB: number;
  /** RSS of the case's process before it made its input: the runtime's own share of the peak. */
  baselineRssMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median of `runs` timed runs after one untimed warm-up run (JIT, allocations), the same for both sides. */
function time(runs: number, body: () => void): number {
  body();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    body();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Runs one (implementation, operation, size) case in this process; prints its result as JSON. */
async function runCase(impl: string, op: string, sizeMiB: number, runs: number): Promise<void> {
  const baselineRssMiB = process.memoryUsage().rss / MIB;
  const params = EncodingParams.forShards(N);
  const blob = randomBytes(sizeMiB * MIB, sizeMiB);
  const subset = randomSubset(N, params.primarySourceSymbols, 42);
  let ms: number;
  if (impl === 'ours') {
    const kernel = selectKernel();
    if (op === 'encode') {
      ms = time(runs, () => encodeBlob(blob, params, kernel));
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
  const result: CaseResult = { medianMs: ms, peakRssMiB: process.resourceUsage().maxRSS / 1024, baselineRssMiB };
  process.stdout.write(JSON.stringify(result));
}

function spawnCase(impl: string, op: string, sizeMiB: number, runs: number, kernel?: string): CaseResult {
  const env = kernel ? { ...process.env, WALRUS_CODEC_KERNEL: kernel } : process.env;
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

const { values } = parseArgs({
  options: {
    case: { type: 'string' },
    runs: { type: 'string' },
    sizes: { type: 'string', default: '1,16,64' },
    kernel: { type: 'string' },
  },
});

if (values.case) {
  const [impl, op, size] = values.case.split(':');
  await runCase(impl, op, Number(size), Number(values.runs ?? 1));
} else {
  const sizes = values.sizes.split(',').map(Number);
  console.log(`codec benchmark, n = ${N}, kernel = ${values.kernel ?? selectKernel().name}; times are medians`);
  console.log('RSS columns: peak RSS of the case process (its runtime baseline before making the input in brackets)');
  console.log(`${pad('operation', 10)} ${pad('size', 8)} ${pad('ours ms', 10)} ${pad('wasm ms', 10)} ${pad('ratio', 8)} ${pad('ours RSS', 16)} ${pad('wasm RSS', 16)}`);
  for (const op of ['encode', 'decode']) {
    for (const sizeMiB of sizes) {
      const runs = Number(values.runs ?? (sizeMiB <= 1 ? 5 : sizeMiB <= 16 ? 3 : 1));
      const ours = spawnCase('ours', op, sizeMiB, runs, values.kernel);
      const wasm = spawnCase('wasm', op, sizeMiB, runs);
      console.log(
        `${pad(op, 10)} ${pad(sizeMiB + ' MiB', 8)} ${pad(ours.medianMs.toFixed(0), 10)} ${pad(wasm.medianMs.toFixed(0), 10)} ` +
          `${pad((wasm.medianMs / ours.medianMs).toFixed(1) + 'x', 8)} ${pad(rss(ours), 16)} ${pad(rss(wasm), 16)}`,
      );
    }
  }
}
