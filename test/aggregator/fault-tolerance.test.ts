/**
 * Stopped and byzantine nodes (docs/protocol.md §3.4): with up to f shards' nodes down or
 * serving corrupt slivers or metadata the bytes served are exactly the blob's; with too few nodes
 * left the answer is 503 with Retry-After — never a short or wrong 200; an unknown blob is 404.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Committee } from '../../src/chain/chain-client.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const NETWORK = { nodes: 7, shards: 31 };
const BLOB_SIZE = 50_000;
let seed = 100;

/** Members, lightest first, whose weights add up to at most `limit` (the most that fit). */
function lightestWithin(committee: Committee, limit: number): string[] {
  const chosen: string[] = [];
  let weight = 0;
  for (const member of [...committee.members].sort((a, b) => a.weight - b.weight)) {
    if (weight + member.weight > limit) break;
    chosen.push(member.name);
    weight += member.weight;
  }
  return chosen;
}

/** Members, heaviest first, until their weight exceeds `limit`. */
function heaviestBeyond(committee: Committee, limit: number): string[] {
  const chosen: string[] = [];
  let weight = 0;
  for (const member of [...committee.members].sort((a, b) => b.weight - a.weight)) {
    if (weight > limit) break;
    chosen.push(member.name);
    weight += member.weight;
  }
  return chosen;
}

describe('fault tolerance (7 nodes, 31 shards, f = 10)', () => {
  let gw: GatewayFixture;
  let committee: Committee;
  const f = Math.floor((NETWORK.shards - 1) / 3);
  const stopped: string[] = [];

  before(async () => {
    gw = await startGateway(NETWORK);
    committee = (await gw.chain.getSystemState()).committee;
  });
  afterEach(async () => {
    for (const name of stopped.splice(0)) await gw.network.node(name).start();
    for (const member of committee.members) gw.network.setFaults(member.name, { corruptSlivers: false, corruptMetadata: false, latencyMs: 0 });
  });
  after(() => gw.stop());

  async function freshBlob(): Promise<{ blob: Uint8Array; blobId: string }> {
    const blob = randomBytes(BLOB_SIZE, seed++);
    return { blob, blobId: (await gw.store(blob)).blobId };
  }

  async function stop(names: string[]): Promise<void> {
    for (const name of names) {
      await gw.network.node(name).stop();
      stopped.push(name);
    }
  }

  async function assertServes(blobId: string, blob: Uint8Array, query = ''): Promise<void> {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}${query}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-cache'), 'MISS');
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
  }

  test('nodes holding f shards stopped: the exact bytes', async () => {
    const { blob, blobId } = await freshBlob();
    const down = lightestWithin(committee, f);
    assert.ok(down.length >= 2, 'the test stops several nodes');
    await stop(down);
    await assertServes(blobId, blob);
  });

  test('nodes holding f shards serve corrupt slivers: the exact bytes, and the slivers are rejected', async () => {
    const { blob, blobId } = await freshBlob();
    const rejectedBefore = await gw.metric('walrus_gateway_rejected_node_answers_total', { kind: 'sliver' });
    // The heaviest node within f: its shards hold systematic slivers for most blob IDs.
    for (const name of lightestWithin(committee, f)) gw.network.setFaults(name, { corruptSlivers: true });
    for (const query of ['', '?strict_consistency_check=true']) {
      await assertServes(blobId, blob, query);
    }
    assert.ok((await gw.metric('walrus_gateway_rejected_node_answers_total', { kind: 'sliver' })) > rejectedBefore);
  });

  test('nodes holding f shards serve corrupt metadata: the exact bytes', async () => {
    const { blob, blobId } = await freshBlob();
    for (const name of lightestWithin(committee, f)) gw.network.setFaults(name, { corruptMetadata: true });
    await assertServes(blobId, blob);
  });

  test('every node but one serves corrupt metadata: still the exact bytes, never wrong ones', async () => {
    const { blob, blobId } = await freshBlob();
    for (const member of committee.members.slice(1)) gw.network.setFaults(member.name, { corruptMetadata: true });
    await assertServes(blobId, blob);
  });

  test('more than 2f shards down (fewer than p slivers left): 503 with Retry-After, never a short 200', async () => {
    const { blobId } = await freshBlob();
    await stop(heaviestBeyond(committee, 2 * f));
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { error: { message: string; details: { reason: string }[] } };
    assert.equal(body.error.details[0].reason, 'BLOB_UNAVAILABLE');
    // Which nodes failed how is for the operator's log, not for anyone who asks.
    assert.doesNotMatch(body.error.message, /127\.0\.0\.1|http:|\/v1\/blobs|node-\d/);
    assert.match(body.error.message, /slivers needed/);
  });

  test('f+1 shards down: a stored blob still reads (p = n − 2f), an unknown one is 503, not a false 404', async () => {
    const { blob, blobId } = await freshBlob();
    await stop(heaviestBeyond(committee, f));
    await assertServes(blobId, blob);
    const unknown = await fetch(`${gw.url}/v1/blobs/${'A'.repeat(42)}E`);
    assert.equal(unknown.status, 503);
  });

  test('an unknown blob is 404 BLOB_NOT_FOUND, cached only briefly', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${'A'.repeat(42)}Q`);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=5');
    const body = (await response.json()) as { error: { details: { reason: string; domain: string }[] } };
    assert.deepEqual([body.error.details[0].reason, body.error.details[0].domain], ['BLOB_NOT_FOUND', 'daemon.walrus.space']);
  });

  test('all corrupt slivers on every node: 503, never wrong bytes', async () => {
    const { blobId } = await freshBlob();
    for (const member of committee.members) gw.network.setFaults(member.name, { corruptSlivers: true });
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 503);
  });
});
