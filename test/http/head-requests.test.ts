/**
 * HEAD answers from metadata (size, ETag, lifecycle headers) and at most the first row for the
 * type — it never rebuilds the blob, unlike an automatic HEAD running the GET handler.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

describe('HEAD /v1/blobs/{id}', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.stop());

  test('headers of the blob, no body, no reconstruction', async () => {
    const blob = randomBytes(150_000, 4);
    const object = await gw.store(blob);
    const response = await fetch(`${gw.url}/v1/blobs/${object.blobId}`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(blob.length));
    assert.equal(response.headers.get('etag'), `"${object.blobId}"`);
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.equal(response.headers.get('x-walrus-certified-epoch'), String(object.certifiedEpoch));
    assert.equal(response.headers.get('x-walrus-end-epoch'), String(object.storage.endEpoch));
    assert.equal(response.headers.get('x-cache'), 'MISS');
    assert.equal((await response.arrayBuffer()).byteLength, 0);
    assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' }), 0);
  });

  test('HEAD of an unknown blob is 404', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${'A'.repeat(42)}w`, { method: 'HEAD' });
    assert.equal(response.status, 404);
  });
});
