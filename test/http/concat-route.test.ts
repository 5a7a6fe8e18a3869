/**
 * `GET ?ids=…` / `POST {"ids": […]}` `/v1alpha/blobs/concat` (docs/http-api.md §1.5): blobs named
 * by blob or object IDs, back to back; the reference's ETag (unpadded base64url SHA-256 of the ID
 * strings joined with `,`), attribute headers from the first ID only, and its errors — each an
 * answer before the first byte, since every blob's metadata is read first — plus Content-Length,
 * Range (206/416), HEAD and If-None-Match. Served in daemon mode as in aggregator mode.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Blocklist } from '../../src/aggregator/blocklist.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const BLOCKED = `${'B'.repeat(42)}A`;
const UNKNOWN = `${'A'.repeat(42)}Q`;

interface ErrorJson {
  error: { details: { reason: string }[] };
}

async function failure(response: Response): Promise<{ status: number; reason: string }> {
  return { status: response.status, reason: ((await response.json()) as ErrorJson).error.details[0].reason };
}

/** The reference's tag, computed here independently, quoted as every tag of the gateway. */
function referenceEtag(ids: readonly string[]): string {
  return `"${createHash('sha256').update(ids.join(',')).digest('base64url')}"`;
}

describe('/v1alpha/blobs/concat (daemon mode)', () => {
  let gw: GatewayFixture;
  // `second` is larger than the stream threshold: a concatenation mixes whole and streamed parts.
  const first = randomBytes(1_000, 31);
  const empty = new Uint8Array(0);
  const second = randomBytes(50_001, 32);
  const text = new TextEncoder().encode('plain words, not sniffed as anything else');
  let firstId: string;
  let emptyId: string;
  let secondId: string;
  let textObject: string;
  let secondObject: string;
  const all = () => Buffer.concat([first, empty, second]);

  before(async () => {
    gw = await startGateway({ mode: 'daemon', args: ['--stream-threshold', '20000'], blocklist: Blocklist.fromIds([BLOCKED]) });
    firstId = (await gw.store(first)).blobId;
    emptyId = (await gw.store(empty)).blobId;
    const stored = await gw.store(second, { 'content-type': 'image/png' });
    secondId = stored.blobId;
    secondObject = stored.id;
    textObject = (await gw.store(text, { 'content-type': 'text/markdown', 'content-language': 'en' })).id;
  });
  after(() => gw.stop());

  const get = (ids: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${gw.url}/v1alpha/blobs/concat?ids=${ids}`, { method, headers });
  const post = (body: unknown, contentType = 'application/json') =>
    fetch(`${gw.url}/v1alpha/blobs/concat`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test('GET: the blobs back to back, with Content-Length and the reference\'s ETag', async () => {
    const ids = [firstId, emptyId, secondId];
    const response = await get(ids.join(','));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(all().length));
    assert.equal(response.headers.get('etag'), referenceEtag(ids));
    assert.equal(response.headers.get('x-walrus-blob-id'), null);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(all()));
  });

  test('GET: entries are trimmed and empty ones dropped before the ETag is computed', async () => {
    const response = await get(encodeURIComponent(` ${firstId} ,, ${secondId},`));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('etag'), referenceEtag([firstId, secondId]));
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(Buffer.concat([first, second])));
  });

  test('POST: blob and object IDs; attribute headers come from the first ID only', async () => {
    const ids = [textObject, secondObject, firstId];
    const response = await post({ ids, strict_consistency_check: true });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('etag'), referenceEtag(ids));
    assert.equal(response.headers.get('content-type'), 'text/markdown');
    assert.equal(response.headers.get('content-language'), 'en');
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(Buffer.concat([text, second, first])));
  });

  test('Range: 206 across the blobs\' boundaries, suffix and open-ended; past the end 416', async () => {
    const whole = all();
    const ids = `${firstId},${emptyId},${secondId}`;
    for (const [header, start, end] of [
      ['bytes=990-1009', 990, 1010],
      ['bytes=-25', whole.length - 25, whole.length],
      ['bytes=500-', 500, whole.length],
    ] as const) {
      const response = await get(ids, { range: header });
      assert.equal(response.status, 206, header);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end - 1}/${whole.length}`);
      assert.equal(response.headers.get('content-length'), String(end - start));
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(whole.subarray(start, end)), header);
    }
    const outside = await get(ids, { range: `bytes=${whole.length}-` });
    assert.equal(outside.headers.get('content-range'), `bytes */${whole.length}`);
    assert.deepEqual(await failure(outside), { status: 416, reason: 'INVALID_BYTE_RANGE' });
    // A stale If-Range: the whole concatenation.
    const stale = await get(ids, { range: 'bytes=0-0', 'if-range': '"another"' });
    assert.equal(stale.status, 200);
    await stale.arrayBuffer();
  });

  test('HEAD: Content-Length and ETag, no body', async () => {
    const ids = [firstId, secondId];
    const response = await get(ids.join(','), {}, 'HEAD');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(first.length + second.length));
    assert.equal(response.headers.get('etag'), referenceEtag(ids));
  });

  test('If-None-Match with the ETag: 304 before any storage node is asked', async () => {
    const ids = [firstId, secondId];
    const before = await gw.metric('walrus_gateway_node_requests_total');
    const response = await get(ids.join(','), { 'if-none-match': referenceEtag(ids) });
    assert.equal(response.status, 304);
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), before);
  });

  test('bad IDs, empty lists and malformed requests are 400, as the reference', async () => {
    assert.deepEqual(await failure(await get(`${firstId},not-an-id`)), { status: 400, reason: 'INVALID_ID_FORMAT' });
    assert.deepEqual(await failure(await post({ ids: ['0xZZ'] })), { status: 400, reason: 'INVALID_ID_FORMAT' });
    assert.deepEqual(await failure(await get('')), { status: 400, reason: 'INVALID_QUERY' });
    assert.deepEqual(await failure(await get(',%20,')), { status: 400, reason: 'INVALID_QUERY' });
    assert.deepEqual(await failure(await fetch(`${gw.url}/v1alpha/blobs/concat`)), { status: 400, reason: 'INVALID_QUERY' });
    assert.deepEqual(await failure(await post({ ids: [] })), { status: 400, reason: 'MALFORMED_REQUEST' });
    assert.deepEqual(await failure(await post({ ids: [firstId], extra: 1 })), { status: 400, reason: 'MALFORMED_REQUEST' });
    assert.deepEqual(await failure(await post({ ids: [firstId, 7] })), { status: 400, reason: 'MALFORMED_REQUEST' });
    assert.deepEqual(await failure(await post('{"ids": [')), { status: 400, reason: 'MALFORMED_REQUEST' });
    assert.deepEqual(await failure(await post({ ids: [firstId] }, 'text/plain')), { status: 415, reason: 'UNSUPPORTED_MEDIA_TYPE' });
    assert.deepEqual(await failure(await get(`${firstId}&strict_consistency_check=true&skip_consistency_check=true`)), { status: 400, reason: 'INVALID_CONSISTENCY_CHECK' });
    assert.deepEqual(await failure(await post({ ids: [firstId], strict_consistency_check: true, skip_consistency_check: true })), { status: 400, reason: 'INVALID_CONSISTENCY_CHECK' });
    // More IDs than the reference's URL could carry: only a body can hold them, and it is capped.
    assert.deepEqual(await failure(await post({ ids: Array.from({ length: 1001 }, () => firstId) })), { status: 400, reason: 'MALFORMED_REQUEST' });
  });

  test('an object ID that names no Blob object: 404 OBJECT_ID_RESOLUTION_FAILED', async () => {
    assert.deepEqual(await failure(await get(`${firstId},0x1234`)), { status: 404, reason: 'OBJECT_ID_RESOLUTION_FAILED' });
  });

  test('an unknown or blocked blob anywhere in the list is an error answer, not a cut body', async () => {
    assert.deepEqual(await failure(await get(`${firstId},${UNKNOWN}`)), { status: 404, reason: 'BLOB_NOT_FOUND' });
    assert.deepEqual(await failure(await post({ ids: [firstId, BLOCKED] })), { status: 451, reason: 'FORBIDDEN_BLOB' });
  });
});
