import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StorageNodeServer } from '../../src/local/storage-node/storage-node-server.ts';
import { SMALL_NETWORK, startCluster, uniqueBlob, uploadToAllNodes, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';

const N_SHARDS = SMALL_NETWORK.nShards;

let cluster: StorageNodeCluster;

describe('storage nodes when the ledger is unreachable', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('answers 500 INTERNAL_ERROR where the ledger is needed, keeps serving health and keeps its data', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    await uploadToAllNodes(cluster, encoded);
    await cluster.ledger.stop();

    const nodeUrl = cluster.nodes[0].url;
    const response = await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/status`);
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), {
      error: {
        code: 500,
        status: 'INTERNAL',
        message: 'an internal error has occurred, please report it',
        details: [{ '@type': 'ErrorInfo', reason: 'INTERNAL_ERROR', domain: 'global', metadata: {} }],
      },
    });
    assert.equal((await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/confirmation/permanent`)).status, 500);
    assert.equal((await fetch(`${nodeUrl}/v1/health`)).status, 200);

    // Garbage collection keeps what it cannot check.
    assert.deepEqual(await cluster.nodes[0].collectGarbage(), []);
    assert.equal(await cluster.client.getMetadataStatus({ blobId: encoded.blobId }, { nodeUrl }), 'stored');
  });

  it('refuses to start without a ledger to read the network from', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'walrus-storage-node-'));
    try {
      const node = new StorageNodeServer({
        nodeId: cluster.nodeIds[0],
        name: 'orphan',
        dataDir,
        blsSecretKey: cluster.keys[0].secretKey,
        ledgerUrl: cluster.ledger.url,
        host: '127.0.0.1',
        port: 0,
        ledgerTimeoutMs: 1_000,
      });
      await assert.rejects(node.start(), { code: 'LEDGER_UNAVAILABLE' });
      assert.equal(node.running, false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
