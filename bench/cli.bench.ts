/**
 * `npm run bench:cli`: the command line as a person runs it — whole processes of the compiled
 * `bin/walrus-gateway.js` (built first) — against a whole process of the official encoder
 * (`bench/reference-blob-id.mjs`, @mysten/walrus-wasm) computing the same blob IDs at n = 1000.
 * Goals (issue #14): `--help` ≤ 150 ms, `blob-id` of 1 KiB ≤ 250 ms, `blob-id` of 16 MiB ≥ 20× the
 * reference. Prints medians and ratios; asserts nothing (but says when the two IDs differ).
 * `WALRUS_CODEC_SIMD=avx2 npm run bench:cli` measures an AVX2-only machine's kernel on a better CPU.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { kernelSelection } from '../src/codec/kernel/select-kernel.ts';
import { randomBytes } from '../test/fixtures/random.ts';

const KIB = 1024;
const MIB = 1024 * KIB;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ROOT = new URL('..', import.meta.url).pathname;
const GATEWAY = join(ROOT, 'bin/walrus-gateway.js');
const REFERENCE = join(ROOT, 'bench/reference-blob-id.mjs');

/** Median wall time of `RUNS` runs of a whole process, after one untimed run; and its last output. */
function timeProcess(args: string[]): { ms: number; stdout: string } {
  let stdout = '';
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    stdout = result.stdout;
    if (run > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], stdout };
}

function main(): void {
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}; kernel ${release()}; node ${process.version}; codec: ${kernelSelection().description}`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'walrus-bench-cli-'));
  try {
    const help = timeProcess([GATEWAY, '--help']);
    console.log(`walrus-gateway --help: ${help.ms.toFixed(0)} ms (goal ≤ 150 ms)`);
    for (const [label, size] of [['1 KiB', KIB], ['16 MiB', 16 * MIB]] as const) {
      const file = join(dir, `blob-${size}`);
      writeFileSync(file, randomBytes(size, size));
      const ours = timeProcess([GATEWAY, 'blob-id', file]);
      const reference = timeProcess([REFERENCE, file, '1000']);
      const same = ours.stdout === reference.stdout ? 'same blob ID' : `BLOB IDS DIFFER: ${ours.stdout.trim()} vs ${reference.stdout.trim()}`;
      console.log(
        `blob-id ${label}, n = 1000, whole process: ${ours.ms.toFixed(0)} ms vs ${reference.ms.toFixed(0)} ms for @mysten/walrus-wasm (${(reference.ms / ours.ms).toFixed(1)}×); ${same}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
