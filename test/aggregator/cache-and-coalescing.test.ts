/**
 * The hot cache: concurrent misses for one blob share one reconstruction; the blob cache keeps to
 * its byte budget and evicts least-recently-used blobs; blobs larger than the per-entry fraction
 * are served but not cached.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const KIB = 1024;
const CACHE_BYTES = 300 * KIB;
const CONCURRENT_GETS = 20;

describe('cache and coalescing', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ args: ['--cache-size', `${CACHE_BYTES}`, '--cache-max-entry-fraction', '0.5'] });
  });
  after(() => gw.stop());

  const fullReconstructions = () => gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' });

  test(`${CONCURRENT_GETS} concurrent GETs of one uncached blob make one reconstruction`, async () => {
    const blob = randomBytes(100 * KIB, 7);
    const { blobId } = await gw.store(blob);
    const before = await fullReconstructions();
    const responses = await Promise.all(Array.from({ length: CONCURRENT_GETS }, () => fetch(`${gw.url}/v1/blobs/${blobId}`)));
    for (const response of responses) {
      assert.equal(response.status, 200);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
    }
    assert.equal((await fullReconstructions()) - before, 1);
    assert.ok((await gw.metric('walrus_gateway_coalesced_reads_total')) >= 1);
  });

  test('the cache stays within its byte budget and evicts the least recently used blob', async () => {
    const blobs = [1, 2, 3].map((seed) => randomBytes(120 * KIB, 100 + seed));
    const ids: string[] = [];
    for (const blob of blobs) ids.push((await gw.store(blob)).blobId);
    const evictionsBefore = await gw.metric('walrus_gateway_cache_evictions_total', { cache: 'blob' });
    for (const id of ids) await (await fetch(`${gw.url}/v1/blobs/${id}`)).arrayBuffer();
    assert.ok(gw.gateway.blobCache.bytes <= CACHE_BYTES, `${gw.gateway.blobCache.bytes} bytes cached`);
    assert.equal(await gw.metric('walrus_gateway_blob_cache_bytes'), gw.gateway.blobCache.bytes);
    assert.ok((await gw.metric('walrus_gateway_cache_evictions_total', { cache: 'blob' })) > evictionsBefore);
    const newest = await fetch(`${gw.url}/v1/blobs/${ids[2]}`);
    assert.equal(newest.headers.get('x-cache'), 'HIT');
    await newest.arrayBuffer();
    const oldest = await fetch(`${gw.url}/v1/blobs/${ids[0]}`);
    assert.equal(oldest.headers.get('x-cache'), 'MISS');
    assert.deepEqual(new Uint8Array(await oldest.arrayBuffer()), blobs[0]);
  });

  test('a blob larger than the per-entry fraction is served but never cached', async () => {
    const blob = randomBytes(200 * KIB, 9);
    const { blobId } = await gw.store(blob);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
      assert.equal(response.headers.get('x-cache'), 'MISS');
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
    }
  });

  test('cache hits and misses are counted', async () => {
    assert.ok((await gw.metric('walrus_gateway_cache_hits_total', { cache: 'blob' })) >= 1);
    assert.ok((await gw.metric('walrus_gateway_cache_misses_total', { cache: 'blob' })) >= 1);
  });
});
