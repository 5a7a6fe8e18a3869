/**
 * Writes under faults, quorum by shard weight (3w ≥ 2n+1): f stopped still certifies; f+1 stopped
 * is refused before paying; f+1 withholding their confirmations fails cleanly after paying and a
 * retry reuses the paid registration; nodes withholding confirmations or signing with the wrong
 * key are ignored; too few nodes to try → 503, nothing paid.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readBlob } from '../fixtures/local-store.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

const SHARDS = 31;
const F = Math.floor((SHARDS - 1) / 3);

describe('store under faults (7 nodes, 31 shards)', () => {
  let pub: PublisherFixture;
  let byWeight: { name: string; weight: number }[];
  before(async () => {
    pub = await startPublisher({ nodes: 7, shards: SHARDS });
    byWeight = (await pub.nodesByWeight()).reverse();
  });
  after(() => pub.stop());

  /** The lightest nodes while their weight stays within `limit`, or the fewest that pass it. */
  function nodesWeighing(atMost: number, exceed = false): string[] {
    const chosen: string[] = [];
    let weight = 0;
    for (const node of exceed ? [...byWeight].reverse() : byWeight) {
      if (exceed ? weight > atMost : weight + node.weight > atMost) break;
      chosen.push(node.name);
      weight += node.weight;
    }
    return chosen;
  }

  test('nodes holding f shards stopped: still certified, and readable', async () => {
    const down = nodesWeighing(F);
    assert.ok(down.length >= 1);
    await Promise.all(down.map((name) => pub.network.node(name).stop()));
    try {
      const blob = randomBytes(4000, 11);
      const { status, json } = await pub.put(blob);
      assert.equal(status, 200, JSON.stringify(json));
      assert.ok(json.newlyCreated.blobObject.certifiedEpoch !== null);
      // Read through the daemon's own aggregator, which copes with the stopped nodes.
      const read = await fetch(`${pub.url}/v1/blobs/${json.newlyCreated.blobObject.blobId}`);
      assert.equal(read.status, 200);
      assert.deepEqual(new Uint8Array(await read.arrayBuffer()), blob);
    } finally {
      await Promise.all(down.map((name) => pub.network.node(name).start()));
    }
  });

  test('f+1 shards stopped: 503 before anything is paid, since the nodes that answer cannot make a certificate', async () => {
    const down = nodesWeighing(F, true);
    await Promise.all(down.map((name) => pub.network.node(name).stop()));
    try {
      const before = await pub.walletsBalance();
      const refused = await pub.put(randomBytes(2400, 16));
      assert.equal(refused.status, 503, JSON.stringify(refused.json));
      assert.equal(refused.json.error.details[0].reason, 'INSUFFICIENT_CONFIRMATIONS');
      assert.match(refused.json.error.message, /nothing was paid/);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal(await pub.walletsBalance(), before, 'nothing paid');
    } finally {
      await Promise.all(down.map((name) => pub.network.node(name).start()));
    }
  });

  test('f+1 shards withhold confirmations: 504 INSUFFICIENT_CONFIRMATIONS, nothing certified; the retry reuses the registration and pays nothing', async () => {
    const down = nodesWeighing(F, true);
    for (const name of down) pub.network.setFaults(name, { withholdConfirmations: true });
    const blob = randomBytes(2500, 12);
    let paid: bigint;
    try {
      const before = await pub.walletsBalance();
      const failed = await pub.put(blob);
      assert.equal(failed.status, 504, JSON.stringify(failed.json));
      assert.equal(failed.json.error.details[0].reason, 'INSUFFICIENT_CONFIRMATIONS');
      assert.equal(failed.json.error.status, 'DEADLINE_EXCEEDED');
      assert.ok(Number(failed.headers.get('retry-after')) > 0);
      paid = before - (await pub.walletsBalance());
      assert.ok(paid > 0n, 'the registration was paid before the upload');
      const owned = await Promise.all(pub.publisher.subWallets.map((w) => pub.chain.getOwnedBlobObjects(w.address)));
      assert.ok(owned.flat().every((b) => b.certifiedEpoch === null), 'nothing is certified');
    } finally {
      for (const name of down) pub.network.setFaults(name, { withholdConfirmations: false });
    }
    const before = await pub.walletsBalance();
    const retried = await pub.put(blob);
    assert.equal(retried.status, 200, JSON.stringify(retried.json));
    assert.deepEqual(Object.keys(retried.json.newlyCreated.resourceOperation), ['reuseRegistration']);
    assert.equal(retried.json.newlyCreated.resourceOperation.reuseRegistration.encodedLength, retried.json.newlyCreated.blobObject.storage.storageSize);
    assert.equal(retried.json.newlyCreated.cost, 0);
    assert.equal(await pub.walletsBalance(), before, 'the retry paid nothing more');
    assert.deepEqual(await readBlob(pub.chain, retried.json.newlyCreated.blobObject.blobId), blob);
  });

  test('f+1 shards sign wrongly: the 504 says how many confirmations arrived and how many verified', async () => {
    const lying = nodesWeighing(F, true);
    for (const name of lying) pub.network.setFaults(name, { invalidConfirmationSignatures: true });
    try {
      const failed = await pub.put(randomBytes(2200, 17));
      assert.equal(failed.status, 504, JSON.stringify(failed.json));
      const match = /arrived from nodes holding (\d+) of 31 shards, (\d+) of them verified/.exec(failed.json.error.message);
      assert.ok(match, failed.json.error.message);
      // The write fails once the missing weight is certain, maybe before every node answered; a
      // wrongly signed confirmation must have arrived for the batch check to run at all.
      assert.ok(Number(match[1]) > Number(match[2]), 'more arrived than verified');
      assert.ok(Number(match[2]) < SHARDS - F, 'the wrongly signed ones are not counted as verified');
      assert.match(failed.json.error.message, /bad BLS signature/);
    } finally {
      for (const name of lying) pub.network.setFaults(name, { invalidConfirmationSignatures: false });
    }
  });

  test('a node withholding confirmations and one sending bad signatures are ignored', async () => {
    const [withholding, lying] = nodesWeighing(F);
    assert.ok(lying, 'two nodes within f');
    pub.network.setFaults(withholding, { withholdConfirmations: true });
    pub.network.setFaults(lying, { invalidConfirmationSignatures: true });
    try {
      const permanent = await pub.put(randomBytes(1500, 13), 'permanent=true');
      assert.equal(permanent.status, 200, JSON.stringify(permanent.json));
      const deletable = await pub.put(randomBytes(1500, 14));
      assert.equal(deletable.status, 200, JSON.stringify(deletable.json));
    } finally {
      pub.network.setFaults(withholding, { withholdConfirmations: false });
      pub.network.setFaults(lying, { invalidConfirmationSignatures: false });
    }
  });

  test('too few nodes reachable to even try: 503 with Retry-After, nothing paid', async () => {
    const down = byWeight.slice(1).map((node) => node.name);
    await Promise.all(down.map((name) => pub.network.node(name).stop()));
    try {
      const before = await pub.walletsBalance();
      const { status, json, headers } = await pub.put(randomBytes(100, 15));
      assert.equal(status, 503, JSON.stringify(json));
      assert.equal(json.error.details[0].reason, 'INSUFFICIENT_CONFIRMATIONS');
      assert.ok(headers.get('retry-after'));
      assert.equal(await pub.walletsBalance(), before);
    } finally {
      await Promise.all(down.map((name) => pub.network.node(name).start()));
    }
  });
});
