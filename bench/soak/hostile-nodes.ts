/**
 * Phase 2, hostile nodes: the lightest nodes with at most f shards answer at random with broken
 * HTTP and lies (the control server's `hostile` fault), behind a gateway of its own without a blob
 * cache → failed PUTs and wrong bytes served (goal: 0).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LocalNetworkDescription } from '../../src/local/local-network.ts';
import { randomBytes, seededRandom } from '../../test/fixtures/random.ts';
import { GatewayChild } from './gateway-child.ts';
import { KIB, KNOBS, VERBOSE } from './knobs.ts';
import { setFaults } from './network-control.ts';
import { ms, noteChildLogs, p50p99, row, Tally } from './report.ts';
import { bounded, httpExchange, putBlob, type HttpSpec } from './wire.ts';

/** In verbose mode, phase 2 names every read slower than this. */
const SLOW_READ_MS = 2000;

/** The lightest nodes whose shards add up to at most f = ⌊(n − 1)/3⌋. */
function lightestWithinF(network: LocalNetworkDescription): { names: string[]; shards: number; f: number } {
  const f = Math.floor((network.nShards - 1) / 3);
  const names: string[] = [];
  let shards = 0;
  for (const node of [...network.nodes].sort((a, b) => a.shards.length - b.shards.length)) {
    if (shards + node.shards.length > f) break;
    names.push(node.name);
    shards += node.shards.length;
  }
  return { names, shards, f };
}

const STREAM_THRESHOLD = 64 * KIB;

export async function phaseHostileNodes(network: LocalNetworkDescription): Promise<void> {
  const phase = '2 hostile nodes';
  // A gateway of its own without a blob cache, so that every read goes to the nodes; reads past
  // 64 KiB stream row by row, so both read paths face the hostile nodes.
  const { child, ready } = await GatewayChild.start(network.ledgerUrl, ['--cache-size', '0', '--stream-threshold', String(STREAM_THRESHOLD)]);
  const pool = new Pool(ready.url, { connections: KNOBS.nodeParallel * 2 });
  const hostile = lightestWithinF(network);
  const deadline = performance.now() + KNOBS.nodeMaxSeconds * 1000;
  const putFailures = new Tally();
  const readFailures = new Tally();
  const putTimes: number[] = [];
  const readTimes: Record<string, number[]> = { GET: [], 'GET Range': [], 'GET byte-range': [], HEAD: [] };
  let wrongBytes = 0;
  let reads = 0;
  const stored: { blobId: string; blob: Uint8Array }[] = [];
  try {
    for (const name of hostile.names) await setFaults(network.controlUrl, name, { hostile: true });
    const rng = seededRandom(KNOBS.seed + 2);
    const puts = await bounded(KNOBS.nodePuts, KNOBS.nodeParallel, deadline, async (i) => {
      // Log-uniform sizes from 1 KiB to 1 MiB.
      const blob = randomBytes(Math.round(KIB * 2 ** (rng() * 10)), KNOBS.seed * 1000 + i);
      const { result, blobId } = await putBlob(pool, blob);
      if (result.status === 200 && blobId) {
        putTimes.push(result.ms);
        stored.push({ blobId, blob });
      } else putFailures.add(result.status ?? result.error ?? 'unknown');
    });
    await bounded(stored.length, KNOBS.nodeParallel, deadline, async (i) => {
      const { blobId, blob } = stored[i];
      const start = Math.floor(rng() * blob.length);
      const end = start + Math.floor(rng() * (blob.length - start));
      const checks: { kind: string; spec: HttpSpec; status: number; expect?: Uint8Array; length?: number }[] = [
        { kind: 'HEAD', spec: { method: 'HEAD', path: `/v1/blobs/${blobId}` }, status: 200, length: blob.length },
        { kind: 'GET Range', spec: { method: 'GET', path: `/v1/blobs/${blobId}`, headers: { range: `bytes=${start}-${end}` } }, status: 206, expect: blob.subarray(start, end + 1) },
        { kind: 'GET byte-range', spec: { method: 'GET', path: `/v1/blobs/${blobId}/byte-range?start=${start}&length=${end - start + 1}` }, status: 200, expect: blob.subarray(start, end + 1) },
        { kind: 'GET', spec: { method: 'GET', path: `/v1/blobs/${blobId}` }, status: 200, expect: blob },
      ];
      for (const check of checks) {
        const result = await httpExchange(pool, check.spec);
        reads++;
        if (result.status !== check.status) {
          readFailures.add(`${check.kind} ${result.status ?? result.error}`);
          continue;
        }
        readTimes[check.kind].push(result.ms);
        if (VERBOSE && result.ms > SLOW_READ_MS) console.log(`  slow read: ${check.kind} of a ${blob.length}-byte blob (${check.spec.path.slice(0, 30)}…${check.spec.headers?.range ?? ''}) took ${ms(result.ms)}`);
        if (check.expect && !result.body!.equals(check.expect)) wrongBytes++;
        if (check.length !== undefined && Number(result.headers!['content-length']) !== check.length) wrongBytes++;
      }
    });
    const failedPuts = putFailures.total + (KNOBS.nodePuts - puts);
    row(phase, 'hostile nodes (lightest, ≤ f by weight)', `${hostile.names.join(', ')}: ${hostile.shards} of ${network.nShards} shards (f = ${hostile.f})`, `≤ f`, hostile.shards <= hostile.f && hostile.names.length > 0);
    row(phase, 'failed PUTs', `${failedPuts} of ${KNOBS.nodePuts}${putFailures.total ? ` (${putFailures})` : ''}${puts < KNOBS.nodePuts ? ` (${KNOBS.nodePuts - puts} not started: time cap)` : ''}`, '0', failedPuts === 0);
    row(phase, 'PUT latency (1 KiB–1 MiB)', p50p99(putTimes));
    row(phase, 'wrong bytes served (uncached: --cache-size 0)', `${wrongBytes} of ${reads} reads`, '0', wrongBytes === 0);
    row(phase, 'failed reads', `${readFailures.total} of ${reads}${readFailures.total ? ` (${readFailures})` : ''}`, '0', readFailures.total === 0);
    for (const [kind, times] of Object.entries(readTimes)) row(phase, `${kind} latency`, p50p99(times));
  } finally {
    for (const name of hostile.names) await setFaults(network.controlUrl, name, { hostile: false });
    await pool.close();
    row(phase, 'gateway error-log lines / crashed', `${child.errorLogs} / ${child.alive ? 'no' : `yes (${child.exit})`}`, '0 / no', child.errorLogs === 0 && child.alive);
    noteChildLogs(phase, child);
    await child.stop();
  }
}
