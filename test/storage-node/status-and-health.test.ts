import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNodeError, assertPlainRejection, SMALL_NETWORK, startCluster, uniqueBlob, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';

const N_SHARDS = SMALL_NETWORK.nShards;

let cluster: StorageNodeCluster;

describe('storage node blob status, health and other routes', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('relays the ledger’s blob status, which the official client parses', async () => {
    const nodeUrl = cluster.nodes[0].url;
    const blobId = uniqueBlob(N_SHARDS).blobId;
    assert.deepEqual(await cluster.client.getBlobStatus({ blobId }, { nodeUrl }), { type: 'nonexistent' });

    const objectId = cluster.ledger.registerBlob(blobId, { epochs: 3 });
    cluster.ledger.certifyBlob(objectId);
    const permanent = await cluster.client.getBlobStatus({ blobId }, { nodeUrl });
    assert.deepEqual(permanent, {
      type: 'permanent',
      endEpoch: cluster.ledger.epoch + 3,
      isCertified: true,
      statusEvent: { txDigest: '11111111111111111111111111111111', eventSeq: '0' },
      deletableCounts: { count_deletable_total: 0, count_deletable_certified: 0 },
      initialCertifiedEpoch: cluster.ledger.epoch,
    });

    const deletableId = uniqueBlob(N_SHARDS).blobId;
    cluster.ledger.registerBlob(deletableId, { deletable: true });
    const deletable = await cluster.client.getBlobStatus({ blobId: deletableId }, { nodeUrl });
    assert.deepEqual(deletable, {
      type: 'deletable',
      initialCertifiedEpoch: null,
      deletableCounts: { count_deletable_total: 1, count_deletable_certified: 0 },
    });

    const raw = await fetch(`${nodeUrl}/v1/blobs/${blobId}/status`);
    assert.deepEqual(Object.keys(((await raw.json()) as { success: { data: object } }).success.data), ['permanent']);
    await assertPlainRejection(await fetch(`${nodeUrl}/v1/blobs/nope/status`), 400);
  });

  it('reports its health: epoch, key and owned shards', async () => {
    const node = 2;
    const response = await fetch(`${cluster.nodes[node].url}/v1/health?detailed=true`);
    assert.equal(response.status, 200);
    const { success } = (await response.json()) as { success: { code: number; data: Record<string, unknown> } };
    assert.equal(success.code, 200);
    const health = success.data;
    assert.equal(health.epoch, cluster.ledger.epoch);
    assert.equal(health.publicKey, Buffer.from(cluster.keys[node].publicKey).toString('base64'));
    assert.equal(health.nodeStatus, 'Active');
    assert.deepEqual(health.shardSummary, { owned: 3, ownedShardStatus: { unknown: 0, ready: 3, inTransfer: 0, inRecovery: 0 }, readOnly: 0 });
    assert.deepEqual(health.shardDetail, { owned: cluster.shards[node].map((shard) => ({ shard, status: 'ready' })), other: [] });
    const uptime = health.uptime as { secs: number; nanos: number };
    assert.ok(Number.isInteger(uptime.secs) && Number.isInteger(uptime.nanos) && uptime.nanos < 1e9);

    const brief = (await (await fetch(`${cluster.nodes[node].url}/v1/health`)).json()) as { success: { data: Record<string, unknown> } };
    assert.equal(brief.success.data.shardDetail, undefined);
  });

  it('answers 501 on the reference routes it does not implement, and an empty 404 on unknown routes', async () => {
    const url = cluster.nodes[0].url;
    const blobId = uniqueBlob(N_SHARDS).blobId;
    const notImplemented = [
      fetch(`${url}/v1/blobs/${blobId}/recoverySymbols?targetSliver=0&targetType=primary`),
      fetch(`${url}/v1/blobs/${blobId}/decodingSymbols?targetSlivers=0&targetType=primary`),
      fetch(`${url}/v1/blobs/${blobId}/inconsistencyProof/primary`, { method: 'POST', body: new Uint8Array(4) }),
      fetch(`${url}/v1/migrate/sync_shard`, { method: 'POST', body: new Uint8Array(4) }),
    ];
    for (const response of await Promise.all(notImplemented)) {
      const body = (await response.json()) as { error: { code: number; details: { reason: string }[] } };
      assert.equal(response.status, 501);
      assert.equal(body.error.code, 501);
      assert.equal(body.error.details[0].reason, 'NOT_IMPLEMENTED');
    }
    const unknown = await fetch(`${url}/v1/nothing-here`);
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), '');
  });

  it('is open to any origin, as reference nodes are', async () => {
    const url = `${cluster.nodes[0].url}/v1/blobs/${uniqueBlob(N_SHARDS).blobId}/metadata`;
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'PUT' },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-methods'), '*');
    const read = await fetch(url, { headers: { origin: 'https://example.com' } });
    assert.equal(read.headers.get('access-control-allow-origin'), '*');
    await assertNodeError(read, 404, 'METADATA_NOT_FOUND', 'NOT_FOUND');
  });
});
