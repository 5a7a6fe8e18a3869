/** ETag (RFC 9110 §8.8.3) and If-None-Match (§13.1.2): a quoted strong tag; 304 before any node is asked. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blobEtag, byteRangeEtag, ifNoneMatchMatches } from '../../src/http/etag.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

describe('etag helpers', () => {
  test('quote the blob ID and match lists, weak tags, * and the reference’s unquoted form', () => {
    const etag = blobEtag('abc');
    assert.equal(etag, '"abc"');
    assert.equal(byteRangeEtag('abc', 1, 2), '"abc-1-2"');
    for (const header of ['"abc"', 'W/"abc"', '"x", "abc"', '*', 'abc']) assert.ok(ifNoneMatchMatches(header, etag), header);
    for (const header of [undefined, '"abd"', '']) assert.ok(!ifNoneMatchMatches(header, etag), String(header));
  });
});

describe('If-None-Match over HTTP', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.stop());

  test('a matching tag gets 304 with no body and no node traffic', async () => {
    const { blobId } = await gw.store(randomBytes(1000, 1));
    const first = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(first.headers.get('etag'), `"${blobId}"`);
    await first.arrayBuffer();
    const requestsBefore = await gw.metric('walrus_gateway_node_requests_total');
    const second = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { 'if-none-match': `"${blobId}"` } });
    assert.equal(second.status, 304);
    assert.equal(second.headers.get('etag'), `"${blobId}"`);
    assert.equal((await second.arrayBuffer()).byteLength, 0);
    // An unknown blob with a matching tag: still 304, proving no node was asked.
    const unknown = 'A'.repeat(42) + 'g';
    const third = await fetch(`${gw.url}/v1/blobs/${unknown}`, { headers: { 'if-none-match': `"${unknown}"` } });
    assert.equal(third.status, 304);
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), requestsBefore);
  });

  test('a different tag reads the blob', async () => {
    const blob = randomBytes(500, 2);
    const { blobId } = await gw.store(blob);
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { 'if-none-match': '"other"' } });
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
  });
});
