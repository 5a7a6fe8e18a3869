/**
 * The quilt read routes against quilts written elsewhere: the official SDK's `encodeQuilt` lays the
 * files out and the bytes are stored as a plain blob, as `writeFiles` or the site builder would.
 * A patch costs its own columns' secondary slivers (after the index's), never the whole quilt,
 * unless those columns' nodes fail; every answer is verified, cached and has its own ETag.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { encodeQuilt } from '@mysten/walrus';
import type { Committee } from '../../src/chain/chain-client.ts';
import { pairIndexToShard, parseBlobId, secondarySliverIndex } from '../../src/codec/blob-id.ts';
import { encodeQuiltPatchId } from '../../src/codec/quilt.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';
import { eventually } from '../fixtures/raw-client.ts';

const NETWORK = { nodes: 4, shards: 10 };

interface Patch {
  readonly identifier: string;
  readonly contents: Uint8Array;
  readonly tags?: Record<string, string>;
}

const PATCHES: Patch[] = [
  { identifier: 'index.html', contents: new TextEncoder().encode('<!doctype html><p>hi</p>'), tags: { 'content-type': 'text/html', 'content-language': 'en', creator: 'site-builder' } },
  { identifier: 'assets/app.js', contents: new TextEncoder().encode('console.log(1)') },
  // Large enough to span several columns.
  { identifier: 'data.bin', contents: randomBytes(6000, 7) },
  { identifier: 'ünïcode name', contents: randomBytes(100, 8) },
  // Longer than a router's usual limit on a path parameter.
  { identifier: `long-${'n'.repeat(400)}`, contents: randomBytes(20, 15) },
];

describe('quilt reads (4 nodes, 10 shards)', () => {
  let gw: GatewayFixture;
  let committee: Committee;
  let quiltId: string;
  let index: ReturnType<typeof encodeQuilt>['index'];
  let plainBlobId: string;
  const corrupted: string[] = [];

  before(async () => {
    gw = await startGateway(NETWORK);
    committee = (await gw.chain.getSystemState()).committee;
    const quilt = encodeQuilt({ blobs: PATCHES, numShards: NETWORK.shards });
    index = quilt.index;
    quiltId = (await gw.store(quilt.quilt)).blobId;
    plainBlobId = (await gw.store(randomBytes(5000, 9))).blobId;
  });
  afterEach(() => {
    for (const name of corrupted.splice(0)) gw.network.setFaults(name, { corruptSlivers: false });
    for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 0 });
  });
  after(() => gw.stop());

  const patchIdOf = (identifier: string) => {
    const patch = index.patches.find((entry) => entry.identifier === identifier)!;
    return { id: encodeQuiltPatchId(parseBlobId(quiltId), patch.startIndex, patch.endIndex), columns: patch.endIndex - patch.startIndex, patch };
  };
  const sliverRequests = () => gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver' });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers });

  it('lists the patches as the reference’s JSON, with the SDK’s patch IDs and tags', async () => {
    const response = await get(`/v1/quilts/${quiltId}/patches`);
    assert.equal(response.status, 200);
    assert.deepEqual(
      await response.json(),
      index.patches.map((patch) => ({ identifier: patch.identifier, patch_id: patchIdOf(patch.identifier).id, tags: patch.tags })),
    );
    const etag = response.headers.get('etag')!;
    assert.notEqual(etag, `"${quiltId}"`, 'the list is not the quilt');
    assert.equal((await get(`/v1/quilts/${quiltId}/patches`, { 'if-none-match': etag })).status, 304);
    const head = await fetch(`${gw.url}/v1/quilts/${quiltId}/patches`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /application\/json/);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('reads a patch by ID from its own columns only, then from the cache', async () => {
    const { id, columns } = patchIdOf('data.bin');
    const before = await sliverRequests();
    const response = await get(`/v1/blobs/by-quilt-patch-id/${id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), PATCHES[2].contents);
    assert.ok(columns > 1, 'the patch spans several columns');
    assert.equal((await sliverRequests()) - before, columns, 'one secondary sliver per column of the patch');
    assert.equal(response.headers.get('x-cache'), 'MISS');
    assert.equal(response.headers.get('etag'), `"${id}"`);
    assert.equal(response.headers.get('x-quilt-patch-identifier'), 'data.bin');
    assert.equal(response.headers.get('x-walrus-blob-id'), quiltId);

    const again = await get(`/v1/blobs/by-quilt-patch-id/${id}`);
    assert.deepEqual(new Uint8Array(await again.arrayBuffer()), PATCHES[2].contents);
    assert.equal(again.headers.get('x-cache'), 'HIT');
    assert.equal((await sliverRequests()) - before, columns);
  });

  it('reads a patch by quilt ID and identifier, percent-decoded, with the tags as headers the allow-list permits', async () => {
    const response = await get(`/v1/blobs/by-quilt-id/${quiltId}/${encodeURIComponent('assets/app.js')}`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'console.log(1)');
    assert.equal(response.headers.get('etag'), `"${patchIdOf('assets/app.js').id}"`);

    const html = await get(`/v1/blobs/by-quilt-id/${quiltId}/index.html`);
    assert.equal(html.headers.get('content-type'), 'text/html');
    assert.equal(html.headers.get('content-language'), 'en');
    assert.equal(html.headers.get('creator'), null, 'tags off the allow-list are not headers');
    assert.ok(html.headers.get('content-security-policy')?.includes('sandbox'), 'script-capable types are sandboxed');

    const long = await get(`/v1/blobs/by-quilt-id/${quiltId}/${PATCHES[4].identifier}`);
    assert.deepEqual(new Uint8Array(await long.arrayBuffer()), PATCHES[4].contents);

    const unicode = await get(`/v1/blobs/by-quilt-id/${quiltId}/${encodeURIComponent('ünïcode name')}`);
    assert.deepEqual(new Uint8Array(await unicode.arrayBuffer()), PATCHES[3].contents);
    assert.equal(unicode.headers.get('x-quilt-patch-identifier'), null, 'a header cannot carry it; the reference leaves it out too');
  });

  it('gives every patch its own ETag and answers If-None-Match with 304 before asking a node', async () => {
    const ids = PATCHES.map((patch) => patchIdOf(patch.identifier).id);
    assert.equal(new Set(ids).size, ids.length);
    const requests = await gw.metric('walrus_gateway_node_requests_total');
    const response = await get(`/v1/blobs/by-quilt-patch-id/${ids[1]}`, { 'if-none-match': `"${ids[1]}"` });
    assert.equal(response.status, 304);
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), requests);
    const other = await get(`/v1/blobs/by-quilt-patch-id/${ids[1]}`, { 'if-none-match': `"${ids[0]}"` });
    assert.equal(other.status, 200);
  });

  it('serves ranges of a patch, open-ended as the Sites portal sends them, HEAD with the length, and 416 outside', async () => {
    const { id } = patchIdOf('data.bin');
    const tail = await get(`/v1/blobs/by-quilt-patch-id/${id}`, { range: 'bytes=5990-' });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers.get('content-range'), 'bytes 5990-5999/6000');
    assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), PATCHES[2].contents.subarray(5990));
    const head = await fetch(`${gw.url}/v1/blobs/by-quilt-patch-id/${id}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '6000');
    const outside = await get(`/v1/blobs/by-quilt-patch-id/${id}`, { range: 'bytes=6000-' });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), 'bytes */6000');
  });

  it('falls back to reading the whole quilt when a column’s node sends corrupt slivers, and serves the right bytes', async () => {
    // A quilt of its own: nothing of it is cached yet.
    const contents = randomBytes(300, 11);
    const quilt = encodeQuilt({ blobs: [{ identifier: 'a', contents: randomBytes(50, 10) }, { identifier: 'b', contents }], numShards: NETWORK.shards });
    const freshId = (await gw.store(quilt.quilt)).blobId;
    const patch = quilt.index.patches[1];
    const id = encodeQuiltPatchId(parseBlobId(freshId), patch.startIndex, patch.endIndex);
    const pair = secondarySliverIndex(patch.startIndex, NETWORK.shards);
    const holder = committee.memberByShard[pairIndexToShard(pair, parseBlobId(freshId), NETWORK.shards)].name;
    gw.network.setFaults(holder, { corruptSlivers: true });
    corrupted.push(holder);
    const rejected = await gw.metric('walrus_gateway_rejected_node_answers_total');
    const response = await get(`/v1/blobs/by-quilt-patch-id/${id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), contents);
    assert.ok((await gw.metric('walrus_gateway_rejected_node_answers_total')) > rejected, 'the corrupt column was caught');
    assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' }), 1);
  });

  it('cuts a patch from the whole quilt when that is cached, asking no node', async () => {
    const contents = randomBytes(700, 13);
    const quilt = encodeQuilt({ blobs: [{ identifier: 'x', contents }, { identifier: 'y', contents: randomBytes(10, 14) }], numShards: NETWORK.shards });
    const freshId = (await gw.store(quilt.quilt)).blobId;
    assert.equal((await get(`/v1/blobs/${freshId}`)).status, 200);
    const before = await gw.metric('walrus_gateway_node_requests_total');
    const patch = quilt.index.patches[0];
    const response = await get(`/v1/blobs/by-quilt-patch-id/${encodeQuiltPatchId(parseBlobId(freshId), patch.startIndex, patch.endIndex)}`);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), contents);
    assert.equal(response.headers.get('x-cache'), 'HIT');
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), before);
    const listed = await get(`/v1/quilts/${freshId}/patches`);
    assert.equal(listed.status, 200);
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), before);
  });

  it('keeps loading a patch for the readers still waiting when the one who started the load leaves', async () => {
    const contents = randomBytes(500, 12);
    const quilt = encodeQuilt({ blobs: [{ identifier: 'only', contents }], numShards: NETWORK.shards });
    const freshId = (await gw.store(quilt.quilt)).blobId;
    const patch = quilt.index.patches[0];
    const path = `/v1/blobs/by-quilt-patch-id/${encodeQuiltPatchId(parseBlobId(freshId), patch.startIndex, patch.endIndex)}`;
    await fetch(`${gw.url}/v1/blobs/${freshId}`, { method: 'HEAD' });
    for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 400 });
    const coalesced = await gw.metric('walrus_gateway_coalesced_reads_total');
    const leaving = new AbortController();
    const first = fetch(`${gw.url}${path}`, { signal: leaving.signal }).catch((error: unknown) => error);
    assert.ok(await eventually(() => gw.gateway.shedder.inFlight === 1, 5_000));
    const second = fetch(`${gw.url}${path}`);
    assert.ok(await eventually(async () => (await gw.metric('walrus_gateway_coalesced_reads_total')) > coalesced, 5_000), 'the second reader joined the first one’s load');
    leaving.abort();
    assert.ok((await first) instanceof Error);
    const response = await second;
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), contents);
  });

  describe('errors', () => {
    const cases: [string, () => string, number, string][] = [
      ['a malformed patch ID', () => '/v1/blobs/by-quilt-patch-id/not-a-patch-id', 400, 'INVALID_ID_FORMAT'],
      ['a patch ID of a quilt that does not exist', () => `/v1/blobs/by-quilt-patch-id/${encodeQuiltPatchId(new Uint8Array(32).fill(7), 1, 2)}`, 404, 'BLOB_NOT_FOUND'],
      ['a patch ID past the quilt’s columns', () => `/v1/blobs/by-quilt-patch-id/${encodeQuiltPatchId(parseBlobId(quiltId), 1, 200)}`, 404, 'QUILT_PATCH_NOT_FOUND'],
      ['a patch ID naming the index column', () => `/v1/blobs/by-quilt-patch-id/${encodeQuiltPatchId(parseBlobId(quiltId), 0, 1)}`, 404, 'QUILT_PATCH_NOT_FOUND'],
      ['a patch ID in the middle of another patch', () => `/v1/blobs/by-quilt-patch-id/${encodeQuiltPatchId(parseBlobId(quiltId), patchIdOf('data.bin').patch.startIndex + 1, patchIdOf('data.bin').patch.endIndex)}`, 404, 'QUILT_PATCH_NOT_FOUND'],
      ['an identifier the quilt lacks', () => `/v1/blobs/by-quilt-id/${quiltId}/missing.txt`, 404, 'QUILT_PATCH_NOT_FOUND'],
      ['the patches of a blob that is not a quilt', () => `/v1/quilts/${plainBlobId}/patches`, 404, 'NOT_A_QUILT'],
      ['an identifier in a blob that is not a quilt', () => `/v1/blobs/by-quilt-id/${plainBlobId}/a`, 404, 'NOT_A_QUILT'],
      ['a malformed quilt ID', () => '/v1/quilts/short/patches', 400, 'INVALID_ID_FORMAT'],
    ];
    for (const [what, path, status, reason] of cases) {
      it(what, async () => {
        const response = await get(path());
        assert.equal(response.status, status);
        const body = (await response.json()) as { error: { details: { reason: string }[] } };
        assert.equal(body.error.details[0].reason, reason);
        assert.equal(response.headers.get('etag'), null);
      });
    }
  });
});
