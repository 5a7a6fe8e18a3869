/**
 * `npm run bench:publish`: the publisher on a 10-node, 1000-shard local network.
 * 1. PUT latency p50/p99 for 1 KiB, 1 MiB and 16 MiB (target: 1 MiB p50 ≤ 500 ms), with the time
 *    split by store stage (encode, status, register, upload, confirmations, certify) and the CPU
 *    time per PUT of the gateway process and of the network process, apart.
 *    The encode stage is set against the reference encoder (@mysten/walrus-wasm) in the same run.
 * 2. Throughput: PUTs/s of distinct 1 MiB blobs with 8 in parallel.
 * 3. Peak RSS of the gateway during one 256 MiB PUT (target before spooling ≤ 3× the blob + 150 MiB)
 *    and one 1 GiB PUT (issue #13's goal ≤ 0.5× the blob + 150 MiB), both past the default
 *    --spool-threshold, so spooled and encoded from a file: the gateway runs in a child process and
 *    the client here, so the figure is the gateway's alone. BENCH_SKIP_LARGE=1 skips both,
 *    BENCH_SKIP_1GIB=1 the 1 GiB one.
 * 4. Reads under PUT load (issue #14's goal: p99 of cached 1 MiB GETs while 16 MiB PUTs run back to
 *    back ≤ 2× their p99 on an idle gateway), with the codec on the event loop (--codec-workers 0)
 *    and on workers (the default), each in a daemon child process of its own, the client here, and
 *    the gateway's event-loop delay beside it. BENCH_SKIP_READS_UNDER_PUTS=1 skips it,
 *    BENCH_ONLY_READS_UNDER_PUTS=1 runs it alone.
 * The gateway runs with its default --codec-workers except where said.
 * The local network runs in a process of its own.
 * Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { LocalChainClient } from '../src/chain/local-chain-client.ts';
import { openCodec } from '../src/codec/codec-workers.ts';
import { kernelSelection } from '../src/codec/kernel/select-kernel.ts';
import { loadConfig, type GatewayMode } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { GatewayMetrics } from '../src/http/metrics.ts';
import { LocalNetworkProcess } from '../src/local/local-network-process.ts';
import { openPublisher } from '../src/publisher/publisher-setup.ts';
import { STORE_STAGES } from '../src/publisher/store-metrics.ts';
import { oracleEncode } from '../test/fixtures/oracle.ts';
import { randomBytes } from '../test/fixtures/random.ts';

const KIB = 1024;
const MIB = 1024 * KIB;
const SAMPLES: Record<number, number> = { [KIB]: 10, [MIB]: 10, [16 * MIB]: 3 };
const THROUGHPUT_PUTS = 16;
const THROUGHPUT_PARALLEL = 8;
const LARGE = 256 * MIB;
const HUGE = 1024 * MIB;
/** The gateway's --max-body-size for the large PUTs: the 1 GiB body and some. */
const LARGE_BODY_LIMIT = '1100MiB';
const RSS_POLL_MS = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function setup(maxBody: string, mode: GatewayMode = 'publisher', extraArgs: string[] = []) {
  const dataDir = await mkdtemp(join(tmpdir(), 'walrus-bench-publish-'));
  // The network runs in its own process, as storage nodes run on their own machines: the figures
  // are the gateway's, not those of ten nodes sharing its event loop.
  const network = await LocalNetworkProcess.start({ dataDir: join(dataDir, 'network'), nodes: 10, shards: 1000 });
  const chain = new LocalChainClient({ ledgerUrl: network.description.ledgerUrl });
  const config = loadConfig(mode, ['--bind-address', '127.0.0.1:0', '--data-dir', dataDir, '--max-body-size', maxBody, '--wal-refill-amount', '20000000000', '--sub-wallets-min-balance', '5000000000', ...extraArgs], {});
  const selection = kernelSelection();
  // As the gateway command does: one codec per process, on workers unless --codec-workers 0.
  const codec = openCodec(config.codecWorkers, selection.kernel);
  const metrics = new GatewayMetrics({ kernelDescription: selection.description, kernelName: selection.kernel.name, mode: config.mode });
  const publisher = await openPublisher({ config, chain, codec, registry: metrics.registry, log: pino({ level: 'silent' }), faucet: (a, amount) => chain.requestFaucet(a, amount * 10n) });
  const gateway = buildApp({ config, chain, kernel: selection.kernel, codec, metrics, publisher, logger: false });
  const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const stop = async () => {
    await gateway.app.close();
    await codec.close();
    await chain.close();
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { url, metrics, stop, selection, network };
}

async function put(url: string, blob: Uint8Array): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/v1/blobs`, { method: 'PUT', body: blob });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`PUT: ${response.status} ${text}`);
  return performance.now() - start;
}

async function stageSums(metrics: GatewayMetrics): Promise<Map<string, number>> {
  const metric = metrics.registry.getSingleMetric('walrus_gateway_store_stage_seconds');
  const { values } = await metric!.get();
  const sums = new Map<string, number>();
  for (const value of values) if (String((value as { metricName?: string }).metricName).endsWith('_sum')) sums.set(String(value.labels.stage), value.value);
  return sums;
}

/** Median of three `@mysten/walrus-wasm` encodes (blob ID and every sliver) at n = 1000, after a warm-up. */
function referenceEncodeMs(blob: Uint8Array): number {
  oracleEncode(blob, 1000);
  const times = [0, 1, 2].map(() => {
    const start = performance.now();
    oracleEncode(blob, 1000);
    return performance.now() - start;
  });
  return times.sort((a, b) => a - b)[1];
}

/** CPU milliseconds of `usage` since `since` (every thread of the process). */
function cpuMs(usage: NodeJS.CpuUsage, since: NodeJS.CpuUsage): number {
  return (usage.user - since.user + usage.system - since.system) / 1000;
}

async function latencies(url: string, metrics: GatewayMetrics, network: LocalNetworkProcess): Promise<void> {
  let seed = 1;
  const encodeStages: { label: string; size: number; ms: number }[] = [];
  console.log('PUTs one at a time; stages: mean ms per PUT; CPU per PUT of the gateway process (this one, the HTTP client included) and of the network process (10 nodes and the ledger)');
  for (const [sizeText, samples] of Object.entries(SAMPLES)) {
    const size = Number(sizeText);
    // Made before the clock starts, so the gateway's CPU figure is not the generator's.
    const blobs = Array.from({ length: samples }, () => randomBytes(size, seed++));
    const before = await stageSums(metrics);
    const [gatewayBefore, networkBefore] = [process.cpuUsage(), await network.cpuUsage()];
    const times: number[] = [];
    for (const blob of blobs) times.push(await put(url, blob));
    const [gatewayCpu, networkCpu] = [cpuMs(process.cpuUsage(), gatewayBefore) / samples, cpuMs(await network.cpuUsage(), networkBefore) / samples];
    const after = await stageSums(metrics);
    times.sort((a, b) => a - b);
    const stageMs = (stage: string) => (((after.get(stage) ?? 0) - (before.get(stage) ?? 0)) * 1000) / samples;
    const split = STORE_STAGES.map((stage) => `${stage} ${stageMs(stage).toFixed(0)}`).join(', ');
    const label = size >= MIB ? size / MIB + ' MiB' : size / KIB + ' KiB';
    console.log(
      `PUT ${label}: p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms (n=${samples}); stages: ${split}; ` +
        `CPU per PUT: gateway ${gatewayCpu.toFixed(0)} ms, network ${networkCpu.toFixed(0)} ms`,
    );
    encodeStages.push({ label, size, ms: stageMs('encode') });
  }
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: THROUGHPUT_PARALLEL }, async () => {
      while (next < THROUGHPUT_PUTS) {
        next++;
        await put(url, randomBytes(MIB, 1000 + next));
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(`throughput, distinct 1 MiB blobs, ${THROUGHPUT_PARALLEL} in parallel: ${(THROUGHPUT_PUTS / seconds).toFixed(2)} PUT/s (${((THROUGHPUT_PUTS * MIB) / MIB / seconds).toFixed(2)} MiB/s)`);
  // The part of a PUT the reference's own code does the same work for: its encoder, same sizes,
  // this run — after the PUTs, so that its wasm heap does not weigh on them.
  for (const { label, size, ms } of encodeStages) {
    const reference = referenceEncodeMs(randomBytes(size, 2000 + size));
    console.log(`encode stage ${label}: ${ms.toFixed(0)} ms vs ${reference.toFixed(0)} ms for @mysten/walrus-wasm encoding the same size (${(reference / ms).toFixed(1)}×)`);
  }
}

/**
 * Child mode: the gateway alone (the network in its own process, the client in the parent); prints
 * its URL, then, when the parent writes a line, the peak RSS seen since it started listening.
 */
async function gatewayChild(): Promise<void> {
  const { url, stop, metrics } = await setup(LARGE_BODY_LIMIT);
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), RSS_POLL_MS);
  console.log(JSON.stringify({ url }));
  await new Promise((done) => process.stdin.once('data', done));
  clearInterval(timer);
  console.log(JSON.stringify({ peakRss: peak, baseRss: base, stageSeconds: Object.fromEntries(await stageSums(metrics)) }));
  await stop();
}

/** One PUT of `size` random bytes from this process to a fresh gateway in a child process; returns time and the child's peak RSS. */
async function largePut(size: number): Promise<{ ms: number; peakRss: number; baseRss: number; stageSeconds: Record<string, number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--gateway-child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? 'null');
  try {
    const { url } = (await next()) as { url: string };
    // Not the seeded generator: a GiB of it takes longer than the PUT, and nothing reads these bytes back.
    const ms = await put(url, randomFillSync(new Uint8Array(size)));
    child.stdin!.write('done\n');
    const { peakRss, baseRss, stageSeconds } = (await next()) as { peakRss: number; baseRss: number; stageSeconds: Record<string, number> };
    return { ms, peakRss, baseRss, stageSeconds };
  } finally {
    child.stdin!.end();
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)));
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--gateway-child')) return gatewayChild();
  if (process.argv.includes('--daemon-child')) return daemonChild(process.argv[process.argv.indexOf('--daemon-child') + 1]);
  if (process.env.BENCH_ONLY_READS_UNDER_PUTS === '1') {
    console.log(`${kernelSelection().description}; ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Linux ${release()}, Node ${process.version}`);
    return readsUnderPuts();
  }
  const { url, metrics, stop, selection, network } = await setup('20MiB');
  console.log(`${selection.description}; ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Linux ${release()}, Node ${process.version}`);
  try {
    await latencies(url, metrics, network);
  } finally {
    await stop();
  }
  if (process.env.BENCH_SKIP_READS_UNDER_PUTS !== '1') await readsUnderPuts();
  if (process.env.BENCH_SKIP_LARGE === '1') return;
  await reportLargePut('256 MiB', LARGE, { label: '3× blob + 150 MiB', bytes: 3 * LARGE + 150 * MIB });
  if (process.env.BENCH_SKIP_1GIB === '1') return;
  await reportLargePut('1 GiB', HUGE, { label: 'goal 0.5× blob + 150 MiB', bytes: HUGE / 2 + 150 * MIB });
}

async function reportLargePut(label: string, size: number, budget: { label: string; bytes: number }): Promise<void> {
  try {
    const { ms, peakRss, baseRss, stageSeconds } = await largePut(size);
    const stages = STORE_STAGES.map((stage) => `${stage} ${(stageSeconds[stage] ?? 0).toFixed(1)}`).join(', ');
    console.log(
      `${label} PUT: ${(ms / 1000).toFixed(1)} s (${(size / MIB / (ms / 1000)).toFixed(1)} MiB/s; s by stage: ${stages}); gateway peak RSS ${(peakRss / MIB).toFixed(0)} MiB (${(baseRss / MIB).toFixed(0)} MiB before the PUT; ${budget.label} = ${(budget.bytes / MIB).toFixed(0)} MiB: ${(peakRss / budget.bytes).toFixed(2)}×)`,
    );
  } catch (error) {
    console.log(`${label} PUT failed: ${(error as Error).message}`);
  }
}

/** Cached 1 MiB GETs timed on an idle gateway, then while 16 MiB PUTs run back to back. */
const READ_SIZE = MIB;
const LOADING_PUT_SIZE = 16 * MIB;
const IDLE_GETS = 300;
const LOADING_PUTS = 4;
/** Gap between two GETs: a steady reader, not one that saturates the gateway by itself. */
const GET_GAP_MS = 2;
const GOAL_P99_RATIO = 2;

/**
 * Child mode for {@link readsUnderPuts}: a daemon with `--codec-workers <workers>`. Prints its URL;
 * on `start` measures its event-loop delay until `stop`, then prints the delay's p99 and maximum.
 */
async function daemonChild(workers: string): Promise<void> {
  const { url, stop } = await setup('20MiB', 'daemon', ['--codec-workers', workers]);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  console.log(JSON.stringify({ url }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'start') {
      delay.reset();
      delay.enable();
      console.log(JSON.stringify({ started: true }));
    } else if (line === 'stop') {
      delay.disable();
      console.log(JSON.stringify({ p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 }));
      break;
    }
  }
  await stop();
}

interface GetFigures {
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

/** Times sequential GETs of `path` until `done()` (checked before each) says stop. */
async function timedGets(url: string, path: string, done: (count: number) => boolean): Promise<GetFigures> {
  const times: number[] = [];
  while (!done(times.length)) {
    const start = performance.now();
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    times.push(performance.now() - start);
    if (response.status !== 200 || response.headers.get('x-cache') !== 'HIT') throw new Error(`GET: ${response.status}, x-cache ${response.headers.get('x-cache')}`);
    await new Promise((resolve) => setTimeout(resolve, GET_GAP_MS));
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), count: times.length };
}

/** One daemon child: idle GETs, then GETs while PUTs run; the gateway's event-loop delay under load. */
async function readsUnderPutsWith(workers: string): Promise<{ idle: GetFigures; loaded: GetFigures; puts: number; putSeconds: number; loopP99Ms: number; loopMaxMs: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--daemon-child', workers], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? 'null');
  try {
    const { url } = (await next()) as { url: string };
    const blob = randomFillSync(new Uint8Array(READ_SIZE));
    const stored = await fetch(`${url}/v1/blobs`, { method: 'PUT', body: blob });
    const json = (await stored.json()) as { newlyCreated?: { blobObject: { blobId: string } }; alreadyCertified?: { blobId: string } };
    const blobId = json.newlyCreated?.blobObject.blobId ?? json.alreadyCertified?.blobId;
    if (!blobId) throw new Error(`PUT: ${stored.status} ${JSON.stringify(json)}`);
    const path = `/v1/blobs/${blobId}`;
    await (await fetch(`${url}${path}`)).arrayBuffer(); // now cached
    await timedGets(url, path, (count) => count >= 20); // warm-up
    const idle = await timedGets(url, path, (count) => count >= IDLE_GETS);
    child.stdin!.write('start\n');
    await next();
    let putting = true;
    const putStart = performance.now();
    const puts = (async () => {
      try {
        for (let i = 0; i < LOADING_PUTS; i++) await put(url, randomFillSync(new Uint8Array(LOADING_PUT_SIZE)));
      } finally {
        putting = false;
      }
    })();
    const loaded = await timedGets(url, path, () => !putting);
    await puts;
    const putSeconds = (performance.now() - putStart) / 1000;
    child.stdin!.write('stop\n');
    const { p99Ms, maxMs } = (await next()) as { p99Ms: number; maxMs: number };
    return { idle, loaded, puts: LOADING_PUTS, putSeconds, loopP99Ms: p99Ms, loopMaxMs: maxMs };
  } finally {
    child.stdin!.end();
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)));
  }
}

/**
 * Issue #14's goal for a daemon under PUT load: cached 1 MiB GETs keep their p99 within 2× of an
 * idle gateway's while 16 MiB PUTs run back to back — with the codec inline, and on workers.
 */
async function readsUnderPuts(): Promise<void> {
  const auto = String(loadConfig('daemon', [], {}).codecWorkers);
  for (const [label, workers] of [
    ['codec on the event loop (--codec-workers 0)', '0'],
    [`codec on workers (--codec-workers ${auto}, the default here)`, auto],
  ] as const) {
    try {
      const r = await readsUnderPutsWith(workers);
      const ratio = r.loaded.p99 / r.idle.p99;
      console.log(
        `cached 1 MiB GET, ${label}: idle p50 ${r.idle.p50.toFixed(1)} ms, p99 ${r.idle.p99.toFixed(1)} ms (n=${r.idle.count}); ` +
          `during ${r.puts} back-to-back 16 MiB PUTs (${r.putSeconds.toFixed(1)} s) p50 ${r.loaded.p50.toFixed(1)} ms, p99 ${r.loaded.p99.toFixed(1)} ms (n=${r.loaded.count}); ` +
          `p99 ${ratio.toFixed(1)}× idle (goal ≤ ${GOAL_P99_RATIO}×: ${ratio <= GOAL_P99_RATIO ? 'met' : 'not met'}); gateway event-loop delay under load p99 ${r.loopP99Ms.toFixed(0)} ms, max ${r.loopMaxMs.toFixed(0)} ms`,
      );
    } catch (error) {
      console.log(`reads under PUTs, ${label}, failed: ${(error as Error).message}`);
    }
  }
}

await main();
