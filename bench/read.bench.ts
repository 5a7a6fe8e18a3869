/**
 * `npm run bench:read`: the aggregator on a 10-node, 1000-shard local network.
 * 1. Cached GET throughput for a 1 MiB blob vs a bare Fastify server returning the same buffer
 *    from memory, in the same run (target ≥ 0.8×).
 * 2. Uncached GET p50/p99 for 1 KiB, 1 MiB and 16 MiB (target: 1 MiB p50 ≤ 100 ms).
 * 3. A 1 KiB range out of a 64 MiB blob vs the full read.
 * 4. A 1 KiB quilt patch out of a 64 MiB quilt, by patch ID and by identifier, vs the full quilt read.
 * Prints figures and ratios; asserts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChainClient } from '../src/chain/local-chain-client.ts';
import { kernelSelection } from '../src/codec/kernel/select-kernel.ts';
import { parseBlobId } from '../src/codec/blob-id.ts';
import { EncodingParams } from '../src/codec/params.ts';
import { encodeQuiltPatchId, encodeQuiltV1 } from '../src/codec/quilt.ts';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';
import { GatewayMetrics } from '../src/http/metrics.ts';
import { LocalNetwork } from '../src/local/local-network.ts';
import { storeBlob } from '../test/fixtures/local-store.ts';
import { randomBytes } from '../test/fixtures/random.ts';

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
  const network = await LocalNetwork.start({ dataDir, nodes: 10, shards: 1000 });
  const chain = new LocalChainClient({ ledgerUrl: network.ledger.url });
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
    for (const [sizeText, samples] of Object.entries(UNCACHED_SAMPLES)) {
      const size = Number(sizeText);
      const ids: string[] = [];
      for (let i = 0; i < samples; i++) ids.push((await storeBlob(chain, wallet, randomBytes(size, 1000 + size + i))).blobId);
      const times: number[] = [];
      for (const id of ids) times.push(await timedGet(`${gateway}/v1/blobs/${id}`));
      times.sort((a, b) => a - b);
      console.log(`uncached GET ${size >= MIB ? `${size / MIB} MiB` : `${size / KIB} KiB`}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${samples} samples)`);
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

await main();
