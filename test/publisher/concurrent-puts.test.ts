/** 16 concurrent PUTs (the default 8 running + 8 queued) all succeed with correct, distinct objects; same-blob PUTs never pay twice. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { oracleEncode } from '../fixtures/oracle.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

describe('concurrent PUTs', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher({ nodes: 4, shards: 10, args: ['--n-clients', '4'] });
  });
  after(() => pub.stop());

  test('16 distinct blobs at once: all newlyCreated, distinct objects, right IDs, readable', async () => {
    const blobs = Array.from({ length: 16 }, (_, i) => randomBytes(500 + i * 97, 100 + i));
    const results = await Promise.all(blobs.map((blob) => pub.put(blob)));
    const ids = new Set<string>();
    for (const [i, result] of results.entries()) {
      assert.equal(result.status, 200, JSON.stringify(result.json));
      const object = result.json.newlyCreated.blobObject;
      assert.equal(object.blobId, blobIdToString(oracleEncode(blobs[i], 10).blobId));
      assert.equal(object.size, blobs[i].length);
      ids.add(object.id);
    }
    assert.equal(ids.size, 16);
    const read = await fetch(`${pub.url}/v1/blobs/${results[7].json.newlyCreated.blobObject.blobId}`);
    assert.deepEqual(new Uint8Array(await read.arrayBuffer()), blobs[7]);
  });

  test('the same blob PUT 4 times at once is paid for once', async () => {
    const blob = randomBytes(1234, 200);
    const before = await pub.walletsBalance();
    const results = await Promise.all([1, 2, 3, 4].map(() => pub.put(blob)));
    const kinds = results.map((r) => Object.keys(r.json)[0]).sort();
    assert.deepEqual(kinds, ['alreadyCertified', 'alreadyCertified', 'alreadyCertified', 'newlyCreated']);
    const created = results.find((r) => r.json.newlyCreated)!.json.newlyCreated;
    assert.equal(before - (await pub.walletsBalance()), BigInt(created.cost));
  });
});
