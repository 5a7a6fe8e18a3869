/**
 * Phase 4, mixed load: SOAK_CONNECTIONS readers (cached, Range, byte-range, HEAD, uncached) and
 * SOAK_WRITERS writers for SOAK_SECONDS → errors by status, p50/p99 per kind, wrong bytes, and the
 * gateway's RSS every SOAK_RSS_INTERVAL_MS, and its live memory after a full GC (less the blob cache)
 * before and after the load (goal: flat).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { randomBytes, seededRandom } from '../../test/fixtures/random.ts';
import { idle, slotText, type ChildReady, type GatewayChild } from './gateway-child.ts';
import { KIB, KNOBS, MIB } from './knobs.ts';
import { pick, type Rng } from './random-inputs.ts';
import { mib, p50p99, row, Tally } from './report.ts';
import { bounded, httpExchange, putBlob, type HttpResult, type HttpSpec } from './wire.ts';

/** Memory counts as flat when it ends at most this far above where it started. */
const RSS_FLAT_SLACK_BYTES = 32 * MIB;
const RSS_FLAT_SLACK_FRACTION = 0.2;

/** What a load request does; LOAD_MIX weighs the reads (the writers PUT on their own). */
type LoadKind = 'GET cached' | 'GET Range' | 'GET byte-range' | 'HEAD' | 'GET uncached' | 'PUT';
const LOAD_MIX: [LoadKind, number][] = [
  ['GET cached', 45],
  ['GET Range', 15],
  ['GET byte-range', 15],
  ['HEAD', 15],
  ['GET uncached', 10],
];
/** The sizes of the blobs read from the cache, in turn. */
const CACHED_SIZES = [KIB, 4 * KIB, 64 * KIB, 256 * KIB, MIB];
/** The longest span a ranged read asks for. */
const MAX_RANGE = 64 * KIB;
/** A load request that takes longer than this counts as an error (no response). */
const LOAD_TIMEOUT_MS = 30_000;
/** The goal: at least this many reader connections at once. */
const MIN_CONNECTIONS = 100;
/** The RSS sample taken just after the load still counts as part of it. */
const RSS_AFTER_MS = 1000;
const SLOTS_AFTER_LOAD_WAIT_MS = 5000;

interface LoadBlob {
  readonly blobId: string;
  readonly blob: Uint8Array;
}
interface LoadFigures {
  readonly requests: number;
  readonly written: number;
  readonly wrongBytes: number;
  readonly statuses: Tally;
  readonly errors: Tally;
  readonly times: Map<LoadKind, number[]>;
  readonly start: number;
  readonly end: number;
}

/** The blobs to read: `cached` are read once here so the cache holds them, `fresh` are not read yet. */
async function storeBlobs(ready: ChildReady, rng: Rng): Promise<{ cached: LoadBlob[]; fresh: LoadBlob[]; failures: Tally }> {
  const setupPool = new Pool(ready.url, { connections: ready.publishConcurrent });
  const cached: LoadBlob[] = [];
  const fresh: LoadBlob[] = [];
  const failures = new Tally();
  const store = async (size: number, seed: number, into: LoadBlob[]) => {
    const blob = randomBytes(size, seed);
    const { result, blobId } = await putBlob(setupPool, blob);
    if (blobId) into.push({ blobId, blob });
    else failures.add(result.status ?? result.error ?? 'unknown');
  };
  await bounded(KNOBS.cachedBlobs, ready.publishConcurrent, Infinity, (i) => store(CACHED_SIZES[i % CACHED_SIZES.length], KNOBS.seed * 9000 + i, cached));
  await bounded(KNOBS.freshBlobs, ready.publishConcurrent, Infinity, (i) => store(KIB + Math.floor(rng() * 63 * KIB), KNOBS.seed * 9500 + i, fresh));
  for (const { blobId } of cached) await httpExchange(setupPool, { method: 'GET', path: `/v1/blobs/${blobId}` });
  await setupPool.close();
  return { cached, fresh, failures };
}

/** The request for one read of `kind` of `from..to` (inclusive) of a blob. */
function readSpec(kind: LoadKind, blobId: string, from: number, to: number): HttpSpec {
  if (kind === 'HEAD') return { method: 'HEAD', path: `/v1/blobs/${blobId}` };
  if (kind === 'GET Range') return { method: 'GET', path: `/v1/blobs/${blobId}`, headers: { range: `bytes=${from}-${to}` } };
  if (kind === 'GET byte-range') return { method: 'GET', path: `/v1/blobs/${blobId}/byte-range?start=${from}&length=${to - from + 1}` };
  return { method: 'GET', path: `/v1/blobs/${blobId}` };
}

/** SOAK_CONNECTIONS readers and SOAK_WRITERS writers until SOAK_SECONDS pass; new blobs join `fresh`. */
async function runLoad(ready: ChildReady, rng: Rng, cached: LoadBlob[], fresh: LoadBlob[]): Promise<LoadFigures> {
  const pool = new Pool(ready.url, { connections: KNOBS.connections });
  const writerPool = new Pool(ready.url, { connections: Math.max(1, KNOBS.writers) });
  const statuses = new Tally();
  const errors = new Tally();
  const times = new Map<LoadKind, number[]>();
  let wrongBytes = 0;
  let requests = 0;
  const totalWeight = LOAD_MIX.reduce((sum, [, weight]) => sum + weight, 0);
  const note = (kind: LoadKind, result: HttpResult, ok: boolean) => {
    requests++;
    statuses.add(`${result.status ?? result.error}`);
    if (!ok) errors.add(`${kind} ${result.status ?? result.error}`);
    else (times.get(kind) ?? times.set(kind, []).get(kind)!).push(result.ms);
  };
  const start = performance.now();
  const deadline = start + KNOBS.seconds * 1000;
  const reader = async () => {
    while (performance.now() < deadline) {
      let roll = rng() * totalWeight;
      let kind = (LOAD_MIX.find(([, weight]) => (roll -= weight) < 0) ?? LOAD_MIX[0])[0];
      const uncached = kind === 'GET uncached' ? fresh.shift() : undefined;
      if (kind === 'GET uncached' && !uncached) kind = 'GET cached';
      const { blobId, blob } = uncached ?? pick(rng, cached);
      const from = Math.floor(rng() * blob.length);
      const to = from + Math.floor(rng() * Math.min(MAX_RANGE, blob.length - from));
      const result = await httpExchange(pool, readSpec(kind, blobId, from, to), LOAD_TIMEOUT_MS);
      const expected = kind === 'GET Range' || kind === 'GET byte-range' ? blob.subarray(from, to + 1) : kind === 'HEAD' ? undefined : blob;
      const ok = result.status === (kind === 'GET Range' ? 206 : 200);
      if (ok && expected && !result.body!.equals(expected)) wrongBytes++;
      if (ok && kind === 'HEAD' && Number(result.headers!['content-length']) !== blob.length) wrongBytes++;
      note(kind, result, ok);
    }
  };
  let written = 0;
  const writer = async (w: number) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const blob = randomBytes(KIB + Math.floor(rng() * 255 * KIB), KNOBS.seed * 100_000 + w * 10_000 + i);
      const { result, blobId } = await putBlob(writerPool, blob, LOAD_TIMEOUT_MS);
      note('PUT', result, result.status === 200);
      if (blobId) {
        written++;
        fresh.push({ blobId, blob });
      }
    }
  };
  await Promise.all([...Array.from({ length: KNOBS.connections }, reader), ...Array.from({ length: KNOBS.writers }, (_, w) => writer(w))]);
  const end = performance.now();
  await Promise.all([pool.close(), writerPool.close()]);
  return { requests, written, wrongBytes, statuses, errors, times, start, end };
}

/** The gateway's RSS over the load: the samples of the phase, plus the last one before it. */
function rssOver(child: GatewayChild, start: number, end: number): number[] {
  const before = child.rss.filter((sample) => sample.at < start).at(-1);
  return [...(before ? [before.bytes] : []), ...child.rssBetween(start, end + RSS_AFTER_MS)];
}

export async function phaseMixedLoad(child: GatewayChild, ready: ChildReady): Promise<void> {
  const phase = '4 mixed load';
  const rng = seededRandom(KNOBS.seed + 4);
  const { cached, fresh, failures } = await storeBlobs(ready, rng);
  if (cached.length === 0) {
    row(phase, 'setup', `no blob could be stored (${failures})`, 'stores work', false);
    return;
  }
  // Live memory before and after, each after a full collection: the judge of "flat" (RSS also moves with the collector).
  const liveBefore = await child.liveBytes();
  const load = await runLoad(ready, rng, cached, fresh);
  const liveAfter = await child.liveBytes();
  const flat = liveAfter - liveBefore <= Math.max(RSS_FLAT_SLACK_BYTES, RSS_FLAT_SLACK_FRACTION * liveBefore);
  const seconds = (load.end - load.start) / 1000;
  const series = rssOver(child, load.start, load.end);
  const after = await child.waitSlots(idle, SLOTS_AFTER_LOAD_WAIT_MS);

  const { requests, errors } = load;
  row(phase, 'requests', `${requests} in ${seconds.toFixed(0)} s (${(requests / seconds).toFixed(0)}/s) on ${KNOBS.connections} reader connections + ${KNOBS.writers} writers; ${load.written} blobs written`, `≥ ${MIN_CONNECTIONS} connections`, KNOBS.connections >= MIN_CONNECTIONS);
  row(phase, 'responses by status', load.statuses.toString());
  row(phase, 'errors (unexpected status or no response)', `${errors.total}${errors.total ? ` (${errors})` : ''}`, '0', errors.total === 0);
  row(phase, 'wrong bytes served', String(load.wrongBytes), '0', load.wrongBytes === 0);
  for (const [kind] of [...LOAD_MIX, ['PUT', 0] as [LoadKind, number]]) row(phase, `${kind} latency`, p50p99(load.times.get(kind) ?? []));
  row(phase, `gateway RSS every ${KNOBS.rssIntervalMs / 1000} s`, series.map((bytes) => (bytes / MIB).toFixed(0)).join(' ') + ' MiB');
  row(phase, 'live memory after a full GC, less the blob cache: before / after the load', `${mib(liveBefore)} / ${mib(liveAfter)}`, `flat: after ≤ before + max(${mib(RSS_FLAT_SLACK_BYTES)}, ${RSS_FLAT_SLACK_FRACTION * 100}%)`, flat);
  row(phase, 'slots held after the load', slotText(after), '0 held', idle(after));
}
