/**
 * GET /v1/blobs/by-object-id/{objectId}: the blob of a Blob object, with its allow-listed
 * attributes as headers (never overriding ours) and the object ID as a verifiability header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attributeHeaders } from '../../src/http/attribute-headers.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';

const ATTRIBUTES = { 'Content-Type': 'text/markdown', 'content-language': 'fr', 'x-secret': 'nope', etag: '"forged"', 'content-disposition': 'inline; filename="a.md"' };

describe('attributeHeaders', () => {
  test('keeps allow-listed names, case-insensitively', () => {
    assert.deepEqual(attributeHeaders(ATTRIBUTES, ['content-type', 'content-language']), { 'content-type': 'text/markdown', 'content-language': 'fr' });
  });
});

describe('by-object-id reads', () => {
  let gw: GatewayFixture;
  const body = new TextEncoder().encode('# bonjour\n');
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.stop());

  test('serves the blob with attribute headers from the default allow-list', async () => {
    const object = await gw.store(body, ATTRIBUTES);
    for (const id of [object.id, object.id.toUpperCase().replace('0X', '0x')]) {
      const response = await fetch(`${gw.url}/v1/blobs/by-object-id/${id}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/markdown');
      assert.equal(response.headers.get('content-language'), 'fr');
      assert.equal(response.headers.get('content-disposition'), 'inline; filename="a.md"');
      assert.equal(response.headers.get('x-secret'), null);
      assert.equal(response.headers.get('etag'), `"${object.blobId}"`);
      assert.equal(response.headers.get('x-walrus-object-id'), object.id);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), body);
    }
    const ranged = await fetch(`${gw.url}/v1/blobs/by-object-id/${object.id}`, { headers: { range: 'bytes=2-8' } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), 'bonjour');
    const head = await fetch(`${gw.url}/v1/blobs/by-object-id/${object.id}`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-type'), 'text/markdown');
  });

  test('unknown objects are 404, malformed IDs 400', async () => {
    const missing = await fetch(`${gw.url}/v1/blobs/by-object-id/0x${'ab'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { details: { reason: string }[] } }).error.details[0].reason, 'BLOB_NOT_FOUND');
    const malformed = await fetch(`${gw.url}/v1/blobs/by-object-id/xyz`);
    assert.equal(malformed.status, 400);
  });
});
