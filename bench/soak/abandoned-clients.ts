/**
 * Phase 3, abandoned clients: PUTs that leave mid-body, PUTs and reads that leave while running or
 * queued, readers that stop reading → are the admission slots all free afterwards (the shedders'
 * counters), and are exactly maxBuffer requests at once all admitted (no 429)?
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { LocalNetworkDescription } from '../../src/local/local-network.ts';
import { randomBytes, seededRandom } from '../../test/fixtures/random.ts';
import { rawRequest } from '../../test/fixtures/raw-client.ts';
import { idle, slotText, type ChildReady, type GatewayChild, type Slots } from './gateway-child.ts';
import { KIB, KNOBS, MIB } from './knobs.ts';
import { setLatency } from './network-control.ts';
import { randomId, type Rng } from './random-inputs.ts';
import { row, Tally } from './report.ts';
import { bounded, head, httpExchange, putBlob, rawExchange, type StoredBlob } from './wire.ts';

const PUT_HEAD = head('PUT', '/v1/blobs', { 'content-type': 'application/octet-stream', 'content-length': MIB });
/** The first KiB of PUT_HEAD's 1 MiB body: a PUT that holds its slot, waiting for the rest. */
const STALLED_BODY = Buffer.alloc(KIB, 1);
/** How long the readers that stopped reading stay connected before they leave. */
const STOPPED_READERS_MS = 500;
/** Node latency during the read probe: long enough for maxBuffer reads to overlap. */
const PROBE_NODE_LATENCY_MS = 1000;

const portOf = (ready: ChildReady) => Number(new URL(ready.url).port);

/** a. PUTs that leave mid-body, a publisher's worth at a time. */
async function putsLeavingMidBody(child: GatewayChild, ready: ChildReady, rng: Rng): Promise<string> {
  const port = portOf(ready);
  await bounded(KNOBS.abandonMidBody, ready.publishConcurrent, Infinity, async () => {
    await rawExchange({ port, parts: [PUT_HEAD, randomBytes(16 * KIB + Math.floor(rng() * 256 * KIB), 7)], then: 'leave', leaveAfterMs: 50 + Math.floor(rng() * 300) });
  });
  const afterMidBody = await child.waitSlots(idle);
  return `mid-body PUTs left: ${KNOBS.abandonMidBody}, then ${slotText(afterMidBody)}`;
}

/** b. PUTs that stall in the body: fill the running slots, then the queue; one more is refused; the queued leave first. */
async function stalledPuts(child: GatewayChild, ready: ChildReady): Promise<string> {
  const running = Array.from({ length: ready.publishConcurrent }, () => rawRequest(ready.url, PUT_HEAD, STALLED_BODY));
  const filled = await child.waitSlots((slots) => slots.publish.inFlight >= ready.publishConcurrent);
  const queued = Array.from({ length: ready.publishBuffer - ready.publishConcurrent }, () => rawRequest(ready.url, PUT_HEAD, STALLED_BODY));
  const full = await child.waitSlots((slots) => slots.publish.inFlight >= ready.publishBuffer);
  const extra = await rawExchange({ port: portOf(ready), parts: [head('PUT', '/v1/blobs', { 'content-length': 4, connection: 'close' }) + 'abcd'], then: 'wait' });
  for (const request of queued) request.socket.destroy();
  const afterQueued = await child.waitSlots((slots) => slots.publish.queued === 0);
  for (const request of running) request.socket.destroy();
  const afterPuts = await child.waitSlots(idle);
  return `stalled PUTs: ${filled.publish.inFlight} running, then ${full.publish.queued} queued; one more → ${extra.statuses.join(',') || extra.end}; queued left → ${slotText(afterQueued)}; running left → ${slotText(afterPuts)}`;
}

/** c. Reads that leave while the nodes are slow: every slot taken, the queue full, one more refused, then all leave. */
async function readsLeavingSlowNodes(child: GatewayChild, ready: ChildReady, network: LocalNetworkDescription, rng: Rng): Promise<string> {
  await setLatency(network, KNOBS.abandonNodeLatencyMs);
  try {
    const reads = Array.from({ length: ready.readBuffer }, () => rawRequest(ready.url, head('GET', `/v1/blobs/${randomId(rng)}`)));
    const readsFull = await child.waitSlots((slots) => slots.read.inFlight >= ready.readBuffer);
    const extraRead = await rawExchange({ port: portOf(ready), parts: [head('GET', `/v1/blobs/${randomId(rng)}`, { connection: 'close' })], then: 'wait' });
    for (const request of reads.slice(ready.readConcurrent)) request.socket.destroy();
    const readsQueuedLeft = await child.waitSlots((slots) => slots.read.queued === 0);
    for (const request of reads.slice(0, ready.readConcurrent)) request.socket.destroy();
    const afterReads = await child.waitSlots(idle);
    return `slow reads: ${readsFull.read.inFlight - readsFull.read.queued} running + ${readsFull.read.queued} queued; one more → ${extraRead.statuses.join(',') || extraRead.end}; queued left → read ${readsQueuedLeft.read.inFlight} held; all left → ${slotText(afterReads)}`;
  } finally {
    await setLatency(network, 0);
  }
}

/** d. Readers that stop reading a cached response, then leave; returns the slots after they left. */
async function readersThatStopReading(child: GatewayChild, ready: ChildReady, cached: StoredBlob): Promise<Slots> {
  const slowReaders = Array.from({ length: KNOBS.abandonSlowReaders }, () => {
    const request = rawRequest(ready.url, head('GET', `/v1/blobs/${cached.blobId}`));
    request.socket.once('data', () => request.socket.pause());
    return request;
  });
  await sleep(STOPPED_READERS_MS);
  for (const request of slowReaders) request.socket.destroy();
  return child.waitSlots(idle);
}

/** e. The probe: exactly maxBuffer requests at once, for reads (held by slow nodes so they overlap) and for PUTs. */
async function probeMaxBuffer(ready: ChildReady, network: LocalNetworkDescription, rng: Rng): Promise<{ readProbe: Tally; putProbe: Tally }> {
  await setLatency(network, PROBE_NODE_LATENCY_MS);
  const readProbe = new Tally();
  const putProbe = new Tally();
  try {
    const readPool = new Pool(ready.url, { connections: ready.readBuffer });
    const results = await Promise.all(Array.from({ length: ready.readBuffer }, () => httpExchange(readPool, { method: 'GET', path: `/v1/blobs/${randomId(rng)}` })));
    for (const result of results) readProbe.add(result.status ?? result.error ?? 'unknown');
    await readPool.close();
  } finally {
    await setLatency(network, 0);
  }
  const putPool = new Pool(ready.url, { connections: ready.publishBuffer });
  const putResults = await Promise.all(Array.from({ length: ready.publishBuffer }, (_, i) => putBlob(putPool, randomBytes(KIB, KNOBS.seed * 7000 + i))));
  for (const { result } of putResults) putProbe.add(result.status ?? result.error ?? 'unknown');
  await putPool.close();
  return { readProbe, putProbe };
}

export async function phaseAbandonedClients(child: GatewayChild, ready: ChildReady, network: LocalNetworkDescription, cached: StoredBlob): Promise<void> {
  const phase = '3 abandoned clients';
  const rng = seededRandom(KNOBS.seed + 3);
  const notes = [await putsLeavingMidBody(child, ready, rng), await stalledPuts(child, ready), await readsLeavingSlowNodes(child, ready, network, rng)];
  const afterAll = await readersThatStopReading(child, ready, cached);
  notes.push(`${KNOBS.abandonSlowReaders} readers stopped reading a cached blob and left → ${slotText(afterAll)}`);
  const { readProbe, putProbe } = await probeMaxBuffer(ready, network, rng);
  const final = await child.waitSlots(idle);

  const refused = readProbe.count((key) => key === '429') + putProbe.count((key) => key === '429');
  const free = idle(afterAll) && idle(final) && refused === 0;
  for (const note of notes) row(phase, 'abandonment', note);
  row(phase, `${ready.readBuffer} reads at once (${ready.readConcurrent} + ${ready.readBuffer - ready.readConcurrent} queued), slow nodes`, readProbe.toString(), 'no 429', readProbe.count((key) => key === '429') === 0);
  row(phase, `${ready.publishBuffer} PUTs at once (${ready.publishConcurrent} + ${ready.publishBuffer - ready.publishConcurrent} queued)`, putProbe.toString(), 'no 429, all 200', putProbe.count((key) => key !== '200') === 0);
  row(phase, 'slots held after everything (shedder counters)', slotText(final), '0 held', idle(final));
  row(phase, 'slots free after abandonment', free ? 'yes' : 'no', 'yes', free);
}
