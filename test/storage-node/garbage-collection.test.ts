import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { assertNodeError, pairsOfNode, SMALL_NETWORK, startCluster, uniqueBlob, uploadToAllNodes, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';

const N_SHARDS = SMALL_NETWORK.nShards;
const POLL_MS = 50;
const EPOCH_SWEEP_DEADLINE_MS = 5_000;

let cluster: StorageNodeCluster;

async function storedBlobIds(node: number): Promise<string[]> {
  return readdir(join(cluster.dataDir, `node-${node}`, 'blobs'));
}

async function waitUntil(condition: () => Promise<boolean>, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail('condition not reached before the deadline');
    await sleep(POLL_MS);
  }
}

describe('storage node garbage collection', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('deletes the data of a blob whose last Blob object was deleted, and keeps the others', async () => {
    const deleted = uniqueBlob(N_SHARDS);
    const kept = uniqueBlob(N_SHARDS);
    const objectId = cluster.ledger.registerBlob(deleted.blobId, { deletable: true });
    const keptObject = cluster.ledger.registerBlob(kept.blobId, { deletable: true });
    cluster.ledger.registerBlob(kept.blobId, { deletable: true });
    await uploadToAllNodes(cluster, deleted);
    await uploadToAllNodes(cluster, kept);

    cluster.ledger.deleteBlob(objectId);
    cluster.ledger.deleteBlob(keptObject); // one of kept's two objects is still live
    for (let node = 0; node < cluster.nodes.length; node++) {
      assert.deepEqual(await cluster.nodes[node].collectGarbage(), [deleted.blobId]);
      assert.deepEqual(await storedBlobIds(node), [kept.blobId]);
      const nodeUrl = cluster.nodes[node].url;
      assert.equal(await cluster.client.getMetadataStatus({ blobId: deleted.blobId }, { nodeUrl }), 'nonexistent');
      const [pair] = pairsOfNode(cluster, node, deleted.blobId);
      await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${deleted.blobId}/slivers/${pair}/primary`), 404, 'SLIVER_NOT_FOUND', 'NOT_FOUND');
      await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${deleted.blobId}/metadata`), 404, 'METADATA_NOT_FOUND', 'NOT_FOUND');
      assert.equal(await cluster.client.getMetadataStatus({ blobId: kept.blobId }, { nodeUrl }), 'stored');
    }
  });

  it('deletes the data of expired blobs on its own once the epoch changes', async () => {
    const expiring = uniqueBlob(N_SHARDS);
    const lasting = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(expiring.blobId, { epochs: 1 });
    cluster.ledger.registerBlob(lasting.blobId, { epochs: 10 });
    await uploadToAllNodes(cluster, expiring);
    await uploadToAllNodes(cluster, lasting);

    cluster.ledger.advanceEpoch();
    for (let node = 0; node < cluster.nodes.length; node++) {
      await waitUntil(async () => !(await storedBlobIds(node)).includes(expiring.blobId), EPOCH_SWEEP_DEADLINE_MS);
      assert.ok((await storedBlobIds(node)).includes(lasting.blobId));
    }
    const nodeUrl = cluster.nodes[0].url;
    await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${expiring.blobId}/confirmation/permanent`), 400, 'NOT_REGISTERED', 'FAILED_PRECONDITION');
    assert.equal((await fetch(`${nodeUrl}/v1/blobs/${lasting.blobId}/confirmation/permanent`)).status, 200);
  });
});
