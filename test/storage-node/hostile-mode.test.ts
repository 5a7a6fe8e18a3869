/**
 * A hostile storage node, switched on through the control server: every request on every route is
 * answered with the misbehaviour asked for, as seen on the wire by a bare `node:http` client; the node
 * survives all of them and answers normally once hostility is switched off.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { ControlServer } from '../../src/local/control-server.ts';
import { HOSTILE_KINDS, type HostileKind } from '../../src/local/storage-node/node-faults.ts';
import { pairsOfNode, SMALL_NETWORK, startCluster, uploadToAllNodes, uniqueBlob, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';
import type { SdkEncodedBlob } from '../fixtures/walrus-sdk.ts';

const NODE = 1;
/** Longer than any prompt answer on loopback, far shorter than a drip or the 4 GiB stream. */
const PROMPT_MS = 2_000;
const DRIP_WATCH_MS = 1_200;
const DRIP_INTERVAL_MS = 250;
const OVERSIZED_DECLARED = String(4 * 2 ** 30);
const STREAM_READ_BYTES = 2 ** 20;
const TRUNCATED_DECLARED = 65_536;
const BLOB_ID_BYTES = 32;

let cluster: StorageNodeCluster;
let control: ControlServer;
let blob: SdkEncodedBlob;
/** BCS BlobMetadataWithId as the node served it before it turned hostile. */
let metadataWithId: Buffer;

interface Route {
  readonly method: string;
  readonly path: string;
  readonly body?: Uint8Array;
}

/** What a bare client saw: a response (maybe cut short), or an error before any response. */
type Seen =
  | { readonly kind: 'response'; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer; readonly received: number; readonly complete: boolean; readonly chunkTimes: number[] }
  | { readonly kind: 'error'; readonly code: string | undefined };

/** One request, no agent (a fresh connection each), read until it ends, breaks or `stopAfter` says so. */
function rawRequest(route: Route, options: { timeoutMs?: number; stopAfter?: (bytes: number, elapsedMs: number) => boolean } = {}): Promise<Seen> {
  const { port } = new URL(cluster.nodes[NODE].url);
  const started = performance.now();
  return new Promise((resolve) => {
    const headers = route.body ? { 'content-type': 'application/octet-stream', 'content-length': route.body.length } : {};
    const request = httpRequest({ host: '127.0.0.1', port, method: route.method, path: route.path, agent: false, headers });
    const timer = setTimeout(() => request.destroy(new Error('test timeout')), options.timeoutMs ?? PROMPT_MS);
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'error', code: error.code });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      const chunkTimes: number[] = [];
      let bytes = 0;
      const finish = () => {
        clearTimeout(timer);
        resolve({ kind: 'response', status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), received: bytes, complete: response.complete, chunkTimes });
      };
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Streams are counted, not kept: the point is that the node streams, not that we buffer.
        if (!options.stopAfter) chunks.push(chunk);
        chunkTimes.push(performance.now() - started);
        if (options.stopAfter?.(bytes, performance.now() - started)) response.destroy();
      });
      response.on('close', finish);
      response.on('error', () => undefined);
    });
    request.end(route.body);
  });
}

async function putFaults(body: unknown): Promise<Response> {
  return fetch(`${control.url}/v1/nodes/${cluster.nodes[NODE].name}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function beHostile(kinds: readonly HostileKind[]): Promise<void> {
  const response = await putFaults({ hostile: true, hostileKinds: kinds });
  assert.equal(response.status, 200, await response.text());
}

/** Every kind of route the node has: BCS reads and writes, JSON statuses, confirmations, health, unknown, preflight. */
function allRoutes(): Route[] {
  const [pair] = pairsOfNode(cluster, NODE, blob.blobId);
  const id = blob.blobId;
  return [
    { method: 'GET', path: `/v1/blobs/${id}/metadata` },
    { method: 'PUT', path: `/v1/blobs/${id}/metadata`, body: metadataWithId.subarray(BLOB_ID_BYTES) },
    { method: 'GET', path: `/v1/blobs/${id}/slivers/${pair}/primary` },
    { method: 'PUT', path: `/v1/blobs/${id}/slivers/${pair}/secondary`, body: blob.secondarySlivers[pair] },
    { method: 'GET', path: `/v1/blobs/${id}/metadata/status` },
    { method: 'GET', path: `/v1/blobs/${id}/status` },
    { method: 'GET', path: `/v1/blobs/${id}/confirmation/permanent` },
    { method: 'GET', path: '/v1/health' },
    { method: 'GET', path: '/v1/no/such/route' },
    { method: 'OPTIONS', path: '/v1/health' },
  ];
}

function asResponse(seen: Seen): Extract<Seen, { kind: 'response' }> {
  assert.equal(seen.kind, 'response', JSON.stringify(seen));
  return seen as Extract<Seen, { kind: 'response' }>;
}

/** A complete response with this status and content type, its body checked by `body`. */
function assertAnswer(seen: Seen, status: number | readonly number[], contentType: string | undefined, body?: (bytes: Buffer) => void): void {
  const response = asResponse(seen);
  assert.ok((Array.isArray(status) ? status : [status]).includes(response.status), `status ${response.status}`);
  assert.equal(response.headers['content-type'], contentType);
  assert.ok(response.complete, 'complete');
  assert.equal(Number(response.headers['content-length'] ?? 0), response.body.length);
  body?.(response.body);
}

function parsedJson(bytes: Buffer): unknown {
  return JSON.parse(bytes.toString('utf8'));
}

/** What each prompt kind must look like on the wire, whatever the route. */
const PROMPT_CHECKS: Partial<Record<HostileKind, (seen: Seen) => void>> = {
  malformedJson: (seen) => assertAnswer(seen, 200, 'application/json', (bytes) => assert.throws(() => parsedJson(bytes), SyntaxError)),
  null: (seen) => assertAnswer(seen, 200, 'application/json', (bytes) => assert.equal(bytes.toString(), 'null')),
  wrongTypes: (seen) =>
    assertAnswer(seen, 200, 'application/json', (bytes) => {
      const { success } = parsedJson(bytes) as { success: { code: unknown; data: Record<string, unknown> } };
      assert.equal(success.code, 200);
      assert.equal(typeof success.data.signed, 'string');
      assert.equal(typeof success.data.epoch, 'string');
      assert.equal(typeof success.data.publicKey, 'number');
    }),
  garbageData: (seen) =>
    assertAnswer(seen, 200, 'application/json', (bytes) => {
      const { success } = parsedJson(bytes) as { success: { code: unknown; data: { signed: { serializedMessage: string; signature: string }; publicKey: string } } };
      assert.equal(success.code, 200);
      for (const field of [success.data.signed.serializedMessage, success.data.signed.signature, success.data.publicKey]) {
        assert.match(field, /^[A-Za-z0-9+/]+=*$/);
      }
    }),
  htmlError: (seen) => assertAnswer(seen, 502, 'text/html', (bytes) => assert.match(bytes.toString(), /^<html>[\s\S]*502 Bad Gateway/)),
  randomBytes: (seen) => assertAnswer(seen, 200, 'application/octet-stream', (bytes) => assert.ok(bytes.length > 0)),
  truncated: (seen) => {
    const response = asResponse(seen);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-length'], String(TRUNCATED_DECLARED));
    assert.equal(response.complete, false, 'the connection ends before the body does');
    assert.ok(response.body.length < TRUNCATED_DECLARED, `${response.body.length} bytes`);
  },
  reset: (seen) => assert.deepEqual(seen, { kind: 'error', code: 'ECONNRESET' }),
  wrongStatus: (seen) => assertAnswer(seen, [200, 300, 404, 418, 500], 'text/plain', (bytes) => assert.match(bytes.toString(), /^¯\\_\(ツ\)_\/¯ /)),
  redirect: (seen) => {
    assertAnswer(seen, [302, 307], undefined);
    const { location } = asResponse(seen).headers;
    assert.match(location ?? '', /^http:\/\/127\.0\.0\.1:\d+\//);
  },
  noContent: (seen) => {
    assertAnswer(seen, 204, undefined);
    assert.equal(asResponse(seen).body.length, 0);
  },
};

async function assertHealthy(): Promise<void> {
  const health = asResponse(await rawRequest({ method: 'GET', path: '/v1/health' }));
  assert.equal(health.status, 200);
  assert.equal((parsedJson(health.body) as { success: { code: number } }).success.code, 200);
}

describe('a hostile storage node', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
    control = new ControlServer({ host: '127.0.0.1', port: 0, nodes: cluster.nodes });
    await control.start();
    blob = uniqueBlob(SMALL_NETWORK.nShards);
    cluster.ledger.registerBlob(blob.blobId);
    await uploadToAllNodes(cluster, blob);
    metadataWithId = asResponse(await rawRequest({ method: 'GET', path: `/v1/blobs/${blob.blobId}/metadata` })).body;
  });
  afterEach(async () => {
    const response = await putFaults({ hostile: false, hostileKinds: HOSTILE_KINDS });
    assert.equal(response.status, 200);
  });
  after(async () => {
    await control.stop();
    await cluster.stop();
  });

  for (const [kind, check] of Object.entries(PROMPT_CHECKS)) {
    it(`${kind}: every route gets it`, async () => {
      await beHostile([kind as HostileKind]);
      for (const route of allRoutes()) {
        const seen = await rawRequest(route);
        assert.doesNotThrow(() => check(seen), `${route.method} ${route.path}: ${JSON.stringify(seen).slice(0, 300)}`);
      }
      await putFaults({ hostile: false });
      await assertHealthy();
    });
  }

  it('oversized: promises 4 GiB and streams junk for as long as the client reads', async () => {
    await beHostile(['oversized']);
    for (const route of allRoutes().slice(0, 4)) {
      const response = asResponse(await rawRequest(route, { stopAfter: (bytes) => bytes >= STREAM_READ_BYTES }));
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-length'], OVERSIZED_DECLARED);
      assert.ok(response.received >= STREAM_READ_BYTES, `${response.received} bytes`);
    }
  });

  it('slowDrip: a few bytes at once, then one byte every few hundred milliseconds', async () => {
    await beHostile(['slowDrip']);
    const [metadata, health] = await Promise.all(
      [allRoutes()[0], allRoutes()[7]].map((route) => rawRequest(route, { stopAfter: (_bytes, elapsed) => elapsed >= DRIP_WATCH_MS, timeoutMs: DRIP_WATCH_MS * 2 })),
    );
    for (const seen of [metadata, health]) {
      const response = asResponse(seen);
      assert.equal(response.status, 200);
      const declared = Number(response.headers['content-length']);
      const maxBytes = 8 + Math.ceil(DRIP_WATCH_MS / DRIP_INTERVAL_MS) + 1;
      assert.ok(response.received <= maxBytes && response.received < declared, `${response.received} of ${declared} bytes`);
      assert.ok(response.chunkTimes.length >= 3, `${response.chunkTimes.length} chunks`);
      const gaps = response.chunkTimes.slice(1).map((time, i) => time - response.chunkTimes[i]);
      assert.ok(gaps.every((gap) => gap >= DRIP_INTERVAL_MS / 2), `gaps ${gaps.map(Math.round).join(', ')}`);
    }
  });

  it('picks among all kinds at random, and the node survives a barrage of them', async () => {
    await beHostile(HOSTILE_KINDS);
    const routes = allRoutes();
    const seen = await Promise.all(
      Array.from({ length: 60 }, (_, i) => rawRequest(routes[i % routes.length], { stopAfter: (bytes, elapsed) => bytes >= STREAM_READ_BYTES || elapsed >= 300, timeoutMs: 500 })),
    );
    const shapes = new Set(seen.map((s) => (s.kind === 'error' ? s.code : `${s.status} ${s.headers['content-type']}`)));
    assert.ok(shapes.size >= 5, `only ${[...shapes].join(' | ')}`);
    await putFaults({ hostile: false });
    await assertHealthy();
  });

  it('switched off, answers normally again on every route', async () => {
    await beHostile(['null']);
    await putFaults({ hostile: false });
    const [pair] = pairsOfNode(cluster, NODE, blob.blobId);
    const metadata = asResponse(await rawRequest(allRoutes()[0]));
    assert.equal(metadata.status, 200);
    assert.deepEqual(metadata.body, metadataWithId);
    const sliver = asResponse(await rawRequest(allRoutes()[2]));
    assert.deepEqual(new Uint8Array(sliver.body), blob.primarySlivers[pair]);
    const status = asResponse(await rawRequest(allRoutes()[4]));
    assert.deepEqual(parsedJson(status.body), { success: { code: 200, data: 'stored' } });
    assert.equal(asResponse(await rawRequest(allRoutes()[8])).status, 404);
  });

  it('stops promptly in the middle of drips and streams, and starts again', async () => {
    await beHostile(['slowDrip', 'oversized']);
    const hanging = Array.from({ length: 6 }, () => rawRequest(allRoutes()[0], { timeoutMs: 5_000 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await cluster.nodes[NODE].stop();
    assert.ok(performance.now() - started < 1_000, `stop took ${performance.now() - started} ms`);
    for (const seen of await Promise.all(hanging)) assert.ok(seen.kind === 'error' || !seen.complete, 'cut short');
    await cluster.nodes[NODE].start();
    await putFaults({ hostile: false });
    await assertHealthy();
  });

  it('the control server validates hostile and hostileKinds', async () => {
    const bad = [{ hostile: 'yes' }, { hostileKinds: [] }, { hostileKinds: ['explode'] }, { hostileKinds: 'null' }, { hostileKinds: ['null', 'null'] }, { hostileKinds: [1] }];
    for (const body of bad) {
      const response = await putFaults(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const { error } = (await response.json()) as { error: { message: string; details: { reason: string }[] } };
      assert.equal(error.details[0].reason, 'INVALID_FAULTS');
      assert.match(error.message, /^hostile(Kinds)? must be /);
    }
    assert.throws(() => cluster.nodes[NODE].setFaults({ hostileKinds: [] }), RangeError);
    const accepted = await putFaults({ hostile: true, hostileKinds: ['null', 'reset'] });
    assert.deepEqual(await accepted.json(), { name: cluster.nodes[NODE].name, faults: { hostile: true, hostileKinds: ['null', 'reset'] } });
    assert.deepEqual(cluster.nodes[NODE].faults.hostileKinds, ['null', 'reset']);
  });
});
