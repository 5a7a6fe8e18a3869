/**
 * What load balancers, uptime monitors and SDKs probe: HEAD on every GET route (`/status`,
 * `/v1/api`, `/byte-range` answered 404), 405 with `Allow` for a known path asked with the wrong
 * method (it was 404), object IDs with or without `0x` (as Sui takes them), and error bodies whose
 * code/status pair is one the Rust SDK's parser accepts (413 SIZE_EXCEEDED and 501 UNIMPLEMENTED
 * were not).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_STATUS_CODES } from '../../src/errors/error-body.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { rawRequest, requestHead } from '../fixtures/raw-client.ts';
import { randomBytes } from '../fixtures/random.ts';

/** The (status, code) pairs of `StatusCode` in crates/walrus-storage-node-client/src/api/errors.rs. */
const RUST_SDK_PAIRS = new Set([
  'OK 200',
  'UNAVAILABLE_FOR_LEGAL_REASONS 451',
  'INVALID_ARGUMENT 400',
  'NOT_FOUND 404',
  'FAILED_PRECONDITION 400',
  'PERMISSION_DENIED 403',
  'SIZE_EXCEEDED 403',
  'INTERNAL 500',
  'DEADLINE_EXCEEDED 504',
  'UNAUTHENTICATED 401',
  'RANGE_NOT_SATISFIABLE 416',
  'RESOURCE_EXHAUSTED 429',
  'UNAVAILABLE 503',
]);

interface ErrorJson {
  error: { code: number; status: string; details: { reason: string }[] };
}

function assertRustPair(json: ErrorJson, what: string): void {
  assert.ok(RUST_SDK_PAIRS.has(`${json.error.status} ${json.error.code}`), `${what}: ${json.error.status} ${json.error.code}`);
}

describe('methods, probes and error pairs (daemon mode)', () => {
  let pub: PublisherFixture;
  let blobId: string;
  let objectId: string;
  const blob = randomBytes(5_000, 101);
  before(async () => {
    pub = await startPublisher({ args: ['--max-body-size', '10KiB'] });
    const stored = await pub.put(blob);
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    ({ blobId, id: objectId } = stored.json.newlyCreated.blobObject);
  });
  after(() => pub.stop());

  test('HEAD answers wherever GET does, with the GET headers and no body', async () => {
    for (const path of ['/status', '/v1/api', `/v1/blobs/${blobId}/byte-range?start=10&length=100`, `/v1/blobs/${blobId}`]) {
      const get = await fetch(`${pub.url}${path}`);
      const head = await fetch(`${pub.url}${path}`, { method: 'HEAD' });
      assert.equal(head.status, 200, path);
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), path);
      assert.equal(head.headers.get('content-length'), String((await get.arrayBuffer()).byteLength), path);
      assert.equal((await head.arrayBuffer()).byteLength, 0, path);
    }
  });

  test('a known path with the wrong method: 405 with Allow, JSON body; an unknown path stays 404', async () => {
    const cases: [string, string, string][] = [
      ['POST', '/v1/blobs', 'PUT'],
      ['GET', '/v1/blobs', 'PUT'],
      ['DELETE', `/v1/blobs/${blobId}`, 'GET, HEAD'],
      ['PUT', '/status', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${pub.url}${path}`, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      const json = (await response.json()) as ErrorJson;
      assert.equal(json.error.details[0].reason, 'METHOD_NOT_ALLOWED');
      assertRustPair(json, `${method} ${path}`);
    }
    assert.equal((await fetch(`${pub.url}/v1/nothing`, { method: 'POST' })).status, 404);
  });

  test('object IDs are taken with or without 0x, in any case', async () => {
    for (const id of [objectId, objectId.slice(2), objectId.toUpperCase().replace('0X', '0x'), `0x${objectId.slice(2).replace(/^0+/, '')}`]) {
      const response = await fetch(`${pub.url}/v1/blobs/by-object-id/${id}`);
      assert.equal(response.status, 200, id);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
    }
    assert.equal((await fetch(`${pub.url}/v1/blobs/by-object-id/0xnothex`)).status, 400);
  });

  test('a body in a transfer coding other than chunked is refused with 501, not stored still coded', async () => {
    const body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    const { response } = rawRequest(pub.url, requestHead('PUT', '/v1/blobs', { 'transfer-encoding': 'gzip, chunked', 'content-type': 'application/octet-stream' }), body);
    const answer = await response;
    assert.equal(answer?.status, 501);
    assert.match(answer?.body ?? '', /UNSUPPORTED_TRANSFER_CODING/);
    const chunked = rawRequest(pub.url, requestHead('PUT', '/v1/blobs', { 'transfer-encoding': 'chunked', 'content-type': 'application/octet-stream' }), body);
    assert.equal((await chunked.response)?.status, 200);
  });

  test('every error body carries a code/status pair the Rust SDK parses, whatever the HTTP status', async () => {
    for (const [status, code] of Object.entries(ERROR_STATUS_CODES)) assert.ok(RUST_SDK_PAIRS.has(`${status} ${code}`), status);
    const tooLarge = await pub.put(randomBytes(20 * 1024, 102));
    assert.equal(tooLarge.status, 413);
    assertRustPair(tooLarge.json, '413');
    const quilt = await fetch(`${pub.url}/v1/quilts`, { method: 'PUT', body: 'x' });
    assert.equal(quilt.status, 415);
    assertRustPair((await quilt.json()) as ErrorJson, '415');
  });
});
