import assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StorageNodeServer } from '../../src/local/storage-node/storage-node-server.ts';
import { assertNodeError, pairsOfNode, SMALL_NETWORK, startCluster, uniqueBlob, uploadToNode, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';
import { sdkBcs } from '../fixtures/walrus-sdk.ts';

const N_SHARDS = SMALL_NETWORK.nShards;
const NODE = 3;
/** magic, pair index, type, length, CRC32 (src/local/storage-node/sliver-log.ts). */
const LOG_RECORD_HEADER = 20;

let cluster: StorageNodeCluster;

function blobDir(blobId: string): string {
  return join(cluster.dataDir, `node-${NODE}`, 'blobs', blobId);
}

describe('storage node data on disk', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('keeps one directory per blob: the verified metadata and a log of the verified slivers, no temporary files', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    await uploadToNode(cluster, NODE, encoded);
    assert.deepEqual((await readdir(blobDir(encoded.blobId))).sort(), ['metadata.bcs', 'slivers.log']);
    assert.deepEqual(new Uint8Array(await readFile(join(blobDir(encoded.blobId), 'metadata.bcs'))), sdkBcs.BlobMetadata.serialize(encoded.metadata).toBytes());
    const log = await readFile(join(blobDir(encoded.blobId), 'slivers.log'));
    const pairs = pairsOfNode(cluster, NODE, encoded.blobId);
    const bodies = pairs.flatMap((pair) => [encoded.primarySlivers[pair], encoded.secondarySlivers[pair]]);
    assert.equal(log.length, bodies.reduce((sum, body) => sum + LOG_RECORD_HEADER + body.length, 0), 'one record per sliver');
    for (const body of bodies) assert.ok(log.includes(Buffer.from(body)), 'each sliver stored verbatim');
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

    // The node dies while appending `pair`'s primary sliver (a torn record at the log's end) and
    // while replacing its metadata (a partial temporary file).
    await cluster.nodes[NODE].stop();
    const logPath = join(blobDir(encoded.blobId), 'slivers.log');
    const complete = (await stat(logPath)).size;
    const torn = Buffer.alloc(LOG_RECORD_HEADER + 7);
    torn.writeUInt32LE(0x314c5357, 0);
    torn.writeUInt32LE(pair, 4);
    torn.writeUInt32LE(encoded.primarySlivers[pair].length, 12);
    Buffer.from(encoded.primarySlivers[pair]).copy(torn, LOG_RECORD_HEADER, 0, 7);
    await appendFile(logPath, torn);
    await writeFile(join(blobDir(encoded.blobId), '.tmp-00000000-dead-beef-0000-000000000000'), new Uint8Array(7));
    const trash = join(cluster.dataDir, `node-${NODE}`, 'trash', 'interrupted-delete');
    await mkdir(trash, { recursive: true });
    await writeFile(join(trash, 'metadata.bcs'), new Uint8Array(3));
    await cluster.nodes[NODE].start();

    assert.equal(await cluster.client.getSliverStatus({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary' }, { nodeUrl }), 'nonexistent');
    await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/slivers/${pair}/primary`), 404, 'SLIVER_NOT_FOUND', 'NOT_FOUND');
    await assertNodeError(await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/confirmation/permanent`), 400, 'MISSING_SLIVERS', 'FAILED_PRECONDITION');
    assert.ok(!(await readdir(blobDir(encoded.blobId))).some((name) => name.startsWith('.tmp-')));
    assert.equal((await stat(logPath)).size, complete, 'the torn record is cut off');
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
