/**
 * GET /v1/blobs/{id} returns exactly the stored bytes, for blobs from 0 B to 16 MiB, over real
 * HTTP from a local network; the second read comes from the cache.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

async function getBytes(url: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
}

describe('byte-exact reads on a small network (4 nodes, 10 shards)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.stop());

  for (const size of [0, 1, 2, 100, 4 * KIB + 3, 256 * KIB + 1]) {
    test(`${size} bytes`, async () => {
      const blob = randomBytes(size, size + 11);
      const { blobId } = await gw.store(blob);
      const first = await getBytes(`${gw.url}/v1/blobs/${blobId}`);
      assert.equal(first.status, 200);
      assert.deepEqual(first.bytes, blob);
      assert.equal(first.headers.get('x-cache'), 'MISS');
      assert.equal(first.headers.get('content-length'), String(size));
      const second = await getBytes(`${gw.url}/v1/blobs/${blobId}`);
      assert.deepEqual(second.bytes, blob);
      assert.equal(second.headers.get('x-cache'), 'HIT');
    });
  }
});

describe('byte-exact reads of larger blobs (5 nodes, 100 shards)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ nodes: 5, shards: 100 });
  });
  after(() => gw.stop());

  for (const size of [MIB, 16 * MIB]) {
    test(`${size / MIB} MiB, with every consistency check`, async () => {
      const blob = randomBytes(size, size);
      const { blobId } = await gw.store(blob);
      for (const query of ['', '?skip_consistency_check=true', '?strict_consistency_check=true']) {
        const { status, bytes } = await getBytes(`${gw.url}/v1/blobs/${blobId}${query}`);
        assert.equal(status, 200);
        assert.ok(Buffer.from(bytes).equals(Buffer.from(blob)), `bytes differ for ${query || 'default'}`);
      }
    });
  }
});
