/**
 * `npm run bench:read`: the aggregator on a 10-node, 1000-shard local network.
 * 1. Cached GET throughput for a 1 MiB blob vs a bare Fastify server returning the same buffer
 *    from memory, in the same run (target ≥ 0.8×).
 * 2. Uncached GET p50/p99 for 1 KiB, 1 MiB and 16 MiB (target: 1 MiB p50 ≤ 100 ms), with the time
 *    per read stage and the CPU per GET of the gateway and of the network process, apart.
 * 3. A 1 KiB range out of a 64 MiB blob vs the full read.
 * 4. A 1 KiB quilt patch out of a 64 MiB quilt, by patch ID and by identifier, vs the full quilt read.
 * 5. Streamed reads (issue #13): uncached GET time to first byte and full-read time for 1 MiB,
 *    64 MiB and 256 MiB (goal: 256 MiB's first byte within 2× of 1 MiB's), and the gateway's peak
 *    RSS above the idle process during the 256 MiB read (goal ≤ 150 MiB), each beside the
 *    whole-blob path as it was before (`--stream-threshold` above every size), in the same run.
 *    Each gateway here (the daemon, as `npm start`) runs in a process of its own, measured from
 *    outside through /proc. `BENCH_SKIP_LARGE=1` leaves out 256 MiB; `-- --streaming-only` runs
 *    this section alone.
 * The local network runs in a process of its own throughout, as storage nodes run on machines of
 * their own. Prints figures and ratios; asserts nothing.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Pool, request } from 'undici';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChainClient } from '../src/chain/local-chain-client.ts';
import { kernelSelection } from '../src/codec/kernel/select-kernel.ts';
import { parseBlobId } from '../src/codec/blob-id.ts';
import { EncodingParams } from '../src/codec/params.ts';
import { encodeQuiltPatchId, encodeQuiltV1 } from '../src/codec/quilt.ts';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { READ_STAGES } from '../src/aggregator/read-metrics.ts';
import { GatewayMetrics } from '../src/http/metrics.ts';
import { LocalNetworkProcess } from '../src/local/local-network-process.ts';
import { storeBlob } from '../test/fixtures/local-store.ts';
import { randomBytes } from '../test/fixtures/random.ts';
import { GatewayChild } from './soak/gateway-child.ts';

const KIB = 1024;
const MIB = 1024 * KIB;
const THROUGHPUT_SECONDS = 5;
const THROUGHPUT_CONNECTIONS = 16;
const UNCACHED_SAMPLES: Record<number, number> = { [KIB]: 20, [MIB]: 20, [16 * MIB]: 5 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Requests/s of GET `path` against `origin` with a fixed number of connections in parallel. */
async function throughput(origin: string, path: string): Promise<number> {
  const pool = new Pool(origin, { connections: THROUGHPUT_CONNECTIONS });
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: THROUGHPUT_CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const response = await pool.request({ method: 'GET', path });
        await response.body.arrayBuffer();
        done++;
      }
    }),
  );
  await pool.close();
  return done / THROUGHPUT_SECONDS;
}

/** CPU milliseconds of `usage` since `since` (every thread of the process). */
function cpuMs(usage: NodeJS.CpuUsage, since: NodeJS.CpuUsage): number {
  return (usage.user - since.user + usage.system - since.system) / 1000;
}

/** Seconds spent so far in each read stage (`walrus_gateway_read_stage_seconds` sums). */
async function readStageSums(metrics: GatewayMetrics): Promise<Map<string, number>> {
  const metric = metrics.registry.getSingleMetric('walrus_gateway_read_stage_seconds');
  const sums = new Map<string, number>();
  if (metric === undefined) return sums;
  for (const value of (await metric.get()).values) if (String((value as { metricName?: string }).metricName).endsWith('_sum')) sums.set(String(value.labels.stage), value.value);
  return sums;
}

async function timedGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'walrus-bench-read-'));
  const selection = kernelSelection();
  console.log(selection.description);
  // The network runs in its own process, as storage nodes run on their own machines: the gateway's
  // figures are its own, and each process's CPU is reported apart.
  const network = await LocalNetworkProcess.start({ dataDir, nodes: 10, shards: 1000 });
  const chain = new LocalChainClient({ ledgerUrl: network.description.ledgerUrl });
  const wallet = new Ed25519Keypair();
  await chain.requestFaucet(wallet.toSuiAddress(), 1_000_000n * 1_000_000_000n);
  const config = loadConfig('aggregator', ['--bind-address', '127.0.0.1:0', '--log-level', 'warn', '--cache-size', '1GiB'], {});
  const metrics = new GatewayMetrics({ kernelDescription: selection.description, kernelName: selection.kernel.name, mode: 'aggregator' });
  const { app } = buildApp({ config, chain, kernel: selection.kernel, metrics, logger: false });
  const gateway = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    // 1. Cached throughput vs a bare Fastify server.
    const mib = randomBytes(MIB, 1);
    const cachedId = (await storeBlob(chain, wallet, mib)).blobId;
    await timedGet(`${gateway}/v1/blobs/${cachedId}`);
    const bare = Fastify();
    const buffer = Buffer.from(mib);
    bare.get('/blob', async (_request, reply) => reply.type('application/octet-stream').send(buffer));
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareRate = await throughput(bareUrl, '/blob');
    const gatewayRate = await throughput(gateway, `/v1/blobs/${cachedId}`);
    await bare.close();
    console.log(`cached 1 MiB GET: gateway ${gatewayRate.toFixed(0)} req/s, bare Fastify ${bareRate.toFixed(0)} req/s, ratio ${(gatewayRate / bareRate).toFixed(2)}× (target ≥ 0.8×)`);

    // 2. Uncached latency: a new blob per sample, so neither cache helps.
    console.log('uncached GETs one at a time; stages: mean ms per GET (status runs beside metadata); CPU per GET of the gateway process (this one, the HTTP client included) and of the network process (10 nodes and the ledger)');
    for (const [sizeText, samples] of Object.entries(UNCACHED_SAMPLES)) {
      const size = Number(sizeText);
      const ids: string[] = [];
      for (let i = 0; i < samples; i++) ids.push((await storeBlob(chain, wallet, randomBytes(size, 1000 + size + i))).blobId);
      const before = await readStageSums(metrics);
      const [gatewayBefore, networkBefore] = [process.cpuUsage(), await network.cpuUsage()];
      const times: number[] = [];
      for (const id of ids) times.push(await timedGet(`${gateway}/v1/blobs/${id}`));
      const [gatewayCpu, networkCpu] = [cpuMs(process.cpuUsage(), gatewayBefore) / samples, cpuMs(await network.cpuUsage(), networkBefore) / samples];
      const after = await readStageSums(metrics);
      const stageMs = (stage: string) => (((after.get(stage) ?? 0) - (before.get(stage) ?? 0)) * 1000) / samples;
      // Past --stream-threshold a read is streamed row by row: no whole-blob sliver or decode stage.
      const stages = READ_STAGES.filter((stage) => stageMs(stage) > 0).map((stage) => `${stage} ${stageMs(stage).toFixed(1)}`).join(', ') + (stageMs('slivers') > 0 ? '' : ' (streamed row by row)');
      times.sort((a, b) => a - b);
      console.log(
        `uncached GET ${size >= MIB ? `${size / MIB} MiB` : `${size / KIB} KiB`}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${samples} samples); ` +
          `stages: ${stages}; CPU per GET: gateway ${gatewayCpu.toFixed(1)} ms, network ${networkCpu.toFixed(1)} ms`,
      );
    }

    // 3. A 1 KiB range of a 64 MiB blob vs the full read, both uncached.
    const big = randomBytes(64 * MIB, 64);
    const bigId = (await storeBlob(chain, wallet, big)).blobId;
    await fetch(`${gateway}/v1/blobs/${bigId}`, { method: 'HEAD' });
    const rangeMs = await timedGet(`${gateway}/v1/blobs/${bigId}`, { range: `bytes=${32 * MIB}-${32 * MIB + KIB - 1}` });
    const fullMs = await timedGet(`${gateway}/v1/blobs/${bigId}?skip_consistency_check=false`);
    console.log(`64 MiB blob: 1 KiB range ${rangeMs.toFixed(1)} ms vs full read ${fullMs.toFixed(1)} ms (${(fullMs / rangeMs).toFixed(1)}× faster)`);

    // 4. 1 KiB patches of a 64 MiB quilt (four 16 MiB patches beside them), each read uncached.
    const inputs = [{ identifier: 'small-a.bin', contents: randomBytes(KIB, 77) }, { identifier: 'small-b.bin', contents: randomBytes(KIB, 78) }, ...[0, 1, 2, 3].map((i) => ({ identifier: `large-${i}.bin`, contents: randomBytes(16 * MIB - 4 * KIB, 80 + i) }))];
    const quilt = encodeQuiltV1(inputs, EncodingParams.forShards(1000));
    const quiltId = (await storeBlob(chain, wallet, quilt.bytes)).blobId;
    const small = quilt.patches.find((entry) => entry.identifier === 'small-a.bin')!;
    const patchId = encodeQuiltPatchId(parseBlobId(quiltId), small.startColumn, small.endColumn);
    await fetch(`${gateway}/v1/blobs/${quiltId}`, { method: 'HEAD' });
    const byIdMs = await timedGet(`${gateway}/v1/blobs/by-quilt-patch-id/${patchId}`);
    const byNameMs = await timedGet(`${gateway}/v1/blobs/by-quilt-id/${quiltId}/small-b.bin`);
    const quiltMs = await timedGet(`${gateway}/v1/blobs/${quiltId}`);
    console.log(
      `${(quilt.bytes.length / MIB).toFixed(0)} MiB quilt: 1 KiB patch by ID ${byIdMs.toFixed(1)} ms (${small.endColumn - small.startColumn} column), ` +
        `by identifier ${byNameMs.toFixed(1)} ms (index, then the patch's columns) vs full quilt read ${quiltMs.toFixed(1)} ms ` +
        `(${(quiltMs / byIdMs).toFixed(1)}× faster by ID)`,
    );
  } finally {
    await app.close();
    await chain.close();
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One uncached read: time to the first body byte and to the last, and the body's SHA-256. */
interface TimedRead {
  readonly ttfbMs: number;
  readonly fullMs: number;
  readonly sha256: string;
}

async function timedRead(url: string): Promise<TimedRead> {
  const start = performance.now();
  const { statusCode, body } = await request(url);
  if (statusCode !== 200) throw new Error(`${url}: ${statusCode} ${await body.text()}`);
  const hash = createHash('sha256');
  let ttfbMs = 0;
  for await (const chunk of body) {
    if (ttfbMs === 0) ttfbMs = performance.now() - start;
    hash.update(chunk as Buffer);
  }
  return { ttfbMs, fullMs: performance.now() - start, sha256: hash.digest('hex') };
}

/** VmRSS or VmHWM (peak) of a process, in bytes, from /proc (Linux). */
async function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib) * KIB;
}

interface StreamBlob {
  readonly label: string;
  readonly size: number;
  readonly blobId: string;
  readonly sha256: string;
}

interface PathFigures {
  /** Per size label: median time to first byte and full read over its blobs. */
  readonly bySize: Map<string, { ttfbMs: number; fullMs: number }>;
  readonly idleRss?: number;
  readonly peakRss?: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * One gateway child reads every blob once, cold. The largest is read last, with the child's peak
 * RSS reset (after a full collection) just before it, so the peak is that read's.
 */
async function measurePath(ledgerUrl: string, threshold: string, blobs: readonly StreamBlob[], warmUpId: string): Promise<PathFigures> {
  const { child, ready } = await GatewayChild.start(ledgerUrl, ['--stream-threshold', threshold, '--log-level', 'error']);
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('the gateway child has no pid');
    await timedRead(`${ready.url}/v1/blobs/${warmUpId}`);
    const samples = new Map<string, TimedRead[]>();
    let idleRss: number | undefined;
    let peakRss: number | undefined;
    const largest = blobs.reduce((a, b) => (b.size > a.size ? b : a));
    for (const blob of [...blobs.filter((b) => b !== largest), largest]) {
      const isLargest = blob === largest && blob.size >= 256 * MIB;
      if (isLargest) {
        await child.liveBytes();
        idleRss = await procMemory(pid, 'VmRSS');
        // Linux: writing 5 resets the peak (VmHWM) to the current RSS.
        await writeFile(`/proc/${pid}/clear_refs`, '5');
      }
      const read = await timedRead(`${ready.url}/v1/blobs/${blob.blobId}`);
      if (read.sha256 !== blob.sha256) throw new Error(`${blob.label}: the bytes read are not the blob's`);
      if (isLargest) peakRss = await procMemory(pid, 'VmHWM');
      samples.set(blob.label, [...(samples.get(blob.label) ?? []), read]);
    }
    const bySize = new Map([...samples].map(([label, reads]) => [label, { ttfbMs: median(reads.map((r) => r.ttfbMs)), fullMs: median(reads.map((r) => r.fullMs)) }]));
    return { bySize, idleRss, peakRss };
  } finally {
    await child.stop();
  }
}

async function streamedReads(): Promise<void> {
  const skipLarge = process.env.BENCH_SKIP_LARGE === '1';
  const dataDir = await mkdtemp(join(tmpdir(), 'walrus-bench-stream-'));
  const network = await LocalNetworkProcess.start({ dataDir, nodes: 10, shards: 1000 });
  const chain = new LocalChainClient({ ledgerUrl: network.description.ledgerUrl });
  try {
    const wallet = new Ed25519Keypair();
    await chain.requestFaucet(wallet.toSuiAddress(), 1_000_000n * 1_000_000_000n);
    const sizes: [string, number, number][] = [['1 MiB', MIB, 5], ['64 MiB', 64 * MIB, 3], ...(skipLarge ? [] : [['256 MiB', 256 * MIB, 1] as [string, number, number]])];
    // Each path reads blobs of its own, so neither finds the other's slivers warm in the nodes.
    const storeSet = async (seed: number): Promise<StreamBlob[]> => {
      const blobs: StreamBlob[] = [];
      for (const [label, size, count] of sizes) {
        for (let i = 0; i < count; i++) {
          const bytes = randomBytes(size, seed + size / KIB + i);
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          blobs.push({ label, size, blobId: (await storeBlob(chain, wallet, bytes)).blobId, sha256 });
        }
      }
      return blobs;
    };
    const ledgerUrl = network.description.ledgerUrl;
    const warmUpId = (await storeBlob(chain, wallet, randomBytes(MIB, 4999))).blobId;
    const streamed = await measurePath(ledgerUrl, '4MiB', await storeSet(5000), warmUpId);
    const buffered = await measurePath(ledgerUrl, '1000GiB', await storeSet(6000), warmUpId);
    console.log('streamed reads: uncached GET, the gateway (daemon) in its own process, the network in another; medians (1 MiB: 5 blobs, 64 MiB: 3, 256 MiB: 1)');
    console.log('  streamed = --stream-threshold 4MiB (the default); buffered = the whole-blob path, as before #13');
    for (const [label] of sizes) {
      const s = streamed.bySize.get(label)!;
      const b = buffered.bySize.get(label)!;
      console.log(`  ${label.padEnd(7)} first byte ${s.ttfbMs.toFixed(0).padStart(5)} ms streamed, ${b.ttfbMs.toFixed(0).padStart(5)} ms buffered; full read ${s.fullMs.toFixed(0).padStart(5)} ms streamed, ${b.fullMs.toFixed(0).padStart(5)} ms buffered`);
    }
    const largest = sizes[sizes.length - 1][0];
    const ratio = (figures: PathFigures) => (figures.bySize.get(largest)!.ttfbMs / figures.bySize.get('1 MiB')!.ttfbMs).toFixed(2);
    console.log(`  first byte of ${largest} vs 1 MiB: streamed ${ratio(streamed)}× (goal ≤ 2×), buffered ${ratio(buffered)}×`);
    if (streamed.peakRss !== undefined && buffered.peakRss !== undefined) {
      const above = (figures: PathFigures) => ((figures.peakRss! - figures.idleRss!) / MIB).toFixed(0);
      console.log(
        `  256 MiB read, gateway peak RSS above the idle process: streamed ${above(streamed)} MiB (goal ≤ 150; idle ${(streamed.idleRss! / MIB).toFixed(0)} MiB), ` +
          `buffered ${above(buffered)} MiB (idle ${(buffered.idleRss! / MIB).toFixed(0)} MiB)`,
      );
    }
  } finally {
    await chain.close();
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The machine, for figures that depend on it: CPU, cores, kernel and codec kernel. */
function machineLine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} vCPUs, Linux ${release()}, Node ${process.versions.node}; codec: ${kernelSelection().description}`;
}

if (!process.argv.includes('--streaming-only')) await main();
console.log(machineLine());
await streamedReads();
