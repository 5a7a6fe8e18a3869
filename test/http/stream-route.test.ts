/**
 * `GET`/`HEAD /v1alpha/blobs/{blobId}/stream` (docs/http-api.md §1.5): the reference's 200 with
 * `Content-Length`, `x-walrus-streaming: true` and the blob ID as ETag (quoted here), plus what
 * HTTP asks beyond it: Range (206/416), HEAD, If-None-Match (304) before any node is asked, the
 * blocklist (451), CORS exposure of the streaming header; the reference's errors otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Blocklist } from '../../src/aggregator/blocklist.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const BLOCKED = `${'B'.repeat(42)}A`;
const UNKNOWN = `${'A'.repeat(42)}Q`;

interface ErrorJson {
  error: { details: { reason: string }[] };
}

async function reason(response: Response): Promise<string> {
  return ((await response.json()) as ErrorJson).error.details[0].reason;
}

describe('/v1alpha/blobs/{blobId}/stream', () => {
  let gw: GatewayFixture;
  const blob = randomBytes(120_000, 808);
  let blobId: string;
  let emptyId: string;
  before(async () => {
    gw = await startGateway({ args: ['--stream-threshold', '0', '--cache-size', '0'], blocklist: Blocklist.fromIds([BLOCKED]) });
    blobId = (await gw.store(blob)).blobId;
    emptyId = (await gw.store(new Uint8Array(0))).blobId;
  });
  after(() => gw.stop());

  const url = (id: string) => `${gw.url}/v1alpha/blobs/${id}/stream`;

  test('GET: 200, Content-Length, x-walrus-streaming, the blob ID as ETag, the exact bytes', async () => {
    const response = await fetch(url(blobId), { headers: { origin: 'https://app.example' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(blob.length));
    assert.equal(response.headers.get('x-walrus-streaming'), 'true');
    assert.equal(response.headers.get('etag'), `"${blobId}"`);
    assert.equal(response.headers.get('x-walrus-blob-id'), blobId);
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /X-Walrus-Streaming/);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
  });

  test('an empty blob: 200 with Content-Length 0', async () => {
    const response = await fetch(url(emptyId));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), '0');
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  test('HEAD: the same headers from metadata, no body', async () => {
    const response = await fetch(url(blobId), { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(blob.length));
    assert.equal(response.headers.get('x-walrus-streaming'), 'true');
    assert.equal(response.headers.get('etag'), `"${blobId}"`);
  });

  test('Range: every single-range form is 206; past the end is 416', async () => {
    for (const [header, start, end] of [
      ['bytes=0-0', 0, 1],
      ['bytes=100000-', 100_000, blob.length],
      ['bytes=-7', blob.length - 7, blob.length],
    ] as const) {
      const response = await fetch(url(blobId), { headers: { range: header } });
      assert.equal(response.status, 206, header);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end - 1}/${blob.length}`);
      assert.equal(response.headers.get('x-walrus-streaming'), 'true');
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob.subarray(start, end));
    }
    const outside = await fetch(url(blobId), { headers: { range: `bytes=${blob.length}-` } });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), `bytes */${blob.length}`);
    assert.equal(outside.headers.get('x-walrus-streaming'), null);
    assert.equal(await reason(outside), 'INVALID_BYTE_RANGE');
  });

  test('If-None-Match (quoted or not) is 304 before any node is asked', async () => {
    const before = await gw.metric('walrus_gateway_node_requests_total');
    for (const tag of [`"${blobId}"`, blobId]) {
      const response = await fetch(url(blobId), { headers: { 'if-none-match': tag } });
      assert.equal(response.status, 304);
      assert.equal(response.headers.get('etag'), `"${blobId}"`);
    }
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), before);
  });

  test('errors: bad ID 400, unknown blob 404, blocked 451, another method 405', async () => {
    const bad = await fetch(url('not-a-blob-id'));
    assert.equal(bad.status, 400);
    assert.equal(await reason(bad), 'INVALID_ID_FORMAT');
    const unknown = await fetch(url(UNKNOWN));
    assert.equal(unknown.status, 404);
    assert.equal(await reason(unknown), 'BLOB_NOT_FOUND');
    const blocked = await fetch(url(BLOCKED));
    assert.equal(blocked.status, 451);
    assert.equal(await reason(blocked), 'FORBIDDEN_BLOB');
    const post = await fetch(url(blobId), { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.arrayBuffer();
  });

  test('consistency flags mean nothing here, as in the reference: even both together are not an error', async () => {
    const response = await fetch(`${url(blobId)}?strict_consistency_check=true&skip_consistency_check=true`);
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
  });
});
