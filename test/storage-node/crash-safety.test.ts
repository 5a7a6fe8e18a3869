import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StorageNodeServer } from '../../src/local/storage-node/storage-node-server.ts';
import { assertNodeError, pairsOfNode, SMALL_NETWORK, startCluster, uniqueBlob, uploadToNode, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';
import { sdkBcs } from '../fixtures/walrus-sdk.ts';

const N_SHARDS = SMALL_NETWORK.nShards;
const NODE = 3;

let cluster: StorageNodeCluster;

function blobDir(blobId: string): string {
  return join(cluster.dataDir, `node-${NODE}`, 'blobs', blobId);
}

describe('storage node data on disk', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('keeps one directory per blob with the verified BCS bodies and no temporary files', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    await uploadToNode(cluster, NODE, encoded);
    const pairs = pairsOfNode(cluster, NODE, encoded.blobId);
    const expected = ['metadata.bcs', ...pairs.flatMap((pair) => [`${pair}-primary.bcs`, `${pair}-secondary.bcs`])].sort();
    assert.deepEqual((await readdir(blobDir(encoded.blobId))).sort(), expected);
    assert.deepEqual(new Uint8Array(await readFile(join(blobDir(encoded.blobId), 'metadata.bcs'))), sdkBcs.BlobMetadata.serialize(encoded.metadata).toBytes());
    assert.deepEqual(new Uint8Array(await readFile(join(blobDir(encoded.blobId), `${pairs[0]}-primary.bcs`))), encoded.primarySlivers[pairs[0]]);
  });

  it('never serves what a crash mid-write or mid-delete left behind, and clears it on restart', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    const nodeUrl = cluster.nodes[NODE].url;
    await cluster.client.storeBlobMetadata({ blobId: encoded.blobId, metadata: encoded.metadata }, { nodeUrl });
    const [pair, ...rest] = pairsOfNode(cluster, NODE, encoded.blobId);
    for (const other of rest) {
      await cluster.client.storeSliver({ blobId: encoded.blobId, sliverPairIndex: other, sliverType: 'primary', sliver: encoded.primarySlivers[other] }, { nodeUrl });
      await cluster.client.storeSliver({ blobId: encoded.blobId, sliverPairIndex: other, sliverType: 'secondary', sliver: encoded.secondarySlivers[other] }, { nodeUrl });
    }
    await cluster.client.storeSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'secondary', sliver: encoded.secondarySlivers[pair] }, { nodeUrl });

    // The node dies while writing `pair`'s primary sliver: only a partial temporary file exists.
    await cluster.nodes[NODE].stop();
    const partial = encoded.primarySlivers[pair].subarray(0, 7);
    await writeFile(join(blobDir(encoded.blobId), '.tmp-00000000-dead-beef-0000-000000000000'), partial);
    const trash = join(cluster.dataDir, `node-${NODE}`, 'trash', 'interrupted-delete');
    await mkdir(trash, { recursive: true });
    await writeFile(join(trash, 'metadata.bcs'), new Uint8Array(3));
    await cluster.nodes[NODE].start();

    assert.equal(await cluster.client.getSliverStatus({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary' }, { nodeUrl }), 'nonexistent');
    await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/slivers/${pair}/primary`), 404, 'SLIVER_NOT_FOUND', 'NOT_FOUND');
    await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/confirmation/permanent`), 400, 'MISSING_SLIVERS', 'FAILED_PRECONDITION');
    assert.ok(!(await readdir(blobDir(encoded.blobId))).some((name) => name.startsWith('.tmp-')));
    assert.deepEqual(await readdir(join(cluster.dataDir, `node-${NODE}`, 'trash')), []);

    // The client retries the write and the node completes the blob.
    await cluster.client.storeSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary', sliver: encoded.primarySlivers[pair] }, { nodeUrl });
    const confirmation = await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl });
    assert.equal(confirmation.success.code, 200);
  });

  it('keeps the port it picked in the data directory: a new server over the same directory has the same URL', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    await uploadToNode(cluster, NODE, encoded);
    const original = cluster.nodes[NODE];
    const url = original.url;
    await original.stop();
    const replacement = new StorageNodeServer({
      nodeId: cluster.nodeIds[NODE],
      name: original.name,
      dataDir: join(cluster.dataDir, `node-${NODE}`),
      blsSecretKey: cluster.keys[NODE].secretKey,
      ledgerUrl: cluster.ledger.url,
      host: '127.0.0.1',
      port: 0,
    });
    assert.equal(replacement.url, url);
    await replacement.start();
    cluster.nodes[NODE] = replacement;
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const served = await cluster.client.getSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary' }, { nodeUrl: url });
    assert.deepEqual(new Uint8Array(served), encoded.primarySlivers[pair]);
  });
});
