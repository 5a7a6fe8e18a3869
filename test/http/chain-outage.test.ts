/**
 * The chain unreachable is the chain's failure, not a bug of ours: GET and HEAD by object ID and
 * PUT answer 503 CHAIN_UNAVAILABLE with Retry-After (they were 500s), nothing is paid, and
 * everything works again once the chain is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

interface ErrorJson {
  error: { code: number; status: string; details: { reason: string }[] };
}

describe('the chain unreachable (daemon mode)', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher();
  });
  after(() => pub.stop());

  test('reads by object ID and stores answer 503 CHAIN_UNAVAILABLE with Retry-After; nothing is paid; all is well once it is back', async () => {
    const stored = await pub.put(randomBytes(1200, 81));
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    const objectId: string = stored.json.newlyCreated.blobObject.id;
    const balance = await pub.walletsBalance();

    await pub.network.ledger.stop();
    try {
      for (const method of ['GET', 'HEAD']) {
        const response = await fetch(`${pub.url}/v1/blobs/by-object-id/${objectId}`, { method });
        assert.equal(response.status, 503, `${method} by object ID`);
        assert.ok(Number(response.headers.get('retry-after')) > 0);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        if (method === 'GET') {
          const json = (await response.json()) as ErrorJson;
          assert.equal(json.error.status, 'UNAVAILABLE');
          assert.equal(json.error.details[0].reason, 'CHAIN_UNAVAILABLE');
        }
      }
      const refused = await pub.put(randomBytes(1300, 82));
      assert.equal(refused.status, 503, JSON.stringify(refused.json));
      assert.equal(refused.json.error.details[0].reason, 'CHAIN_UNAVAILABLE');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      // The RPC's own words (here the ledger's address) stay in the log.
      assert.doesNotMatch(refused.json.error.message, /127\.0\.0\.1|http:/);
    } finally {
      await pub.network.ledger.start();
    }
    assert.equal(await pub.walletsBalance(), balance, 'nothing was paid while the chain was down');
    const read = await fetch(`${pub.url}/v1/blobs/by-object-id/${objectId}`);
    assert.equal(read.status, 200);
    const again = await pub.put(randomBytes(1300, 82));
    assert.equal(again.status, 200, JSON.stringify(again.json));
  });
});
