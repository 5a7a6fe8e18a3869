import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uncompressedPublicKey } from '../../src/crypto/bls.ts';
import {
  assertNodeError,
  foreignPair,
  pairsOfNode,
  startCluster,
  uploadToNode,
  type StorageNodeCluster,
} from '../fixtures/storage-node-cluster.ts';
import { randomBytes } from '../fixtures/random.ts';
import { sdkExpectedConfirmation, sdkWasm, type SdkEncodedBlob } from '../fixtures/walrus-sdk.ts';

/** Mainnet's shard count; the node under test owns a few shards, a ledger-only node the rest. */
const N_SHARDS = 1000;
const OWNED = 12;
const BLOB_BYTES = 300_000;

let cluster: StorageNodeCluster;
let encoded: SdkEncodedBlob;

describe('a storage node in a 1000-shard network', () => {
  before(async () => {
    cluster = await startCluster({
      nShards: N_SHARDS,
      shardCounts: [OWNED],
      absentNodeShards: Array.from({ length: N_SHARDS - OWNED }, (_, i) => OWNED + i),
    });
    encoded = sdkWasm.encodeBlob(N_SHARDS, randomBytes(BLOB_BYTES, 1000));
    cluster.ledger.registerBlob(encoded.blobId);
  });
  after(() => cluster.stop());

  it('verifies and stores the metadata and slivers of its shards, serves them and confirms', async () => {
    await uploadToNode(cluster, 0, encoded);
    const nodeUrl = cluster.nodes[0].url;
    const pairs = pairsOfNode(cluster, 0, encoded.blobId);
    assert.equal(pairs.length, OWNED);
    for (const pair of pairs) {
      const served = await cluster.client.getSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'secondary' }, { nodeUrl });
      assert.deepEqual(new Uint8Array(served), encoded.secondarySlivers[pair]);
    }
    const withId = await cluster.client.getBlobMetadata({ blobId: encoded.blobId }, { nodeUrl });
    assert.equal(withId.metadata.V1.hashes.length, N_SHARDS);

    const { signed } = (await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl })).success.data;
    assert.equal(signed.serializedMessage, sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch));
    assert.ok(sdkWasm.getVerifySignature()(signed, uncompressedPublicKey(cluster.keys[0].publicKey)));
  });

  it('rejects a corrupted sliver and a sliver of a shard it does not own', async () => {
    const nodeUrl = cluster.nodes[0].url;
    const [pair] = pairsOfNode(cluster, 0, encoded.blobId);
    const corrupted = encoded.primarySlivers[pair].slice();
    corrupted[100] ^= 0x80;
    const put = (index: number, body: Uint8Array) =>
      fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/slivers/${index}/primary`, { method: 'PUT', body });
    // Already stored: the reference answers 200 without looking at the body again.
    assert.equal((await put(pair, corrupted)).status, 200);
    const foreign = foreignPair(cluster, 0, encoded.blobId);
    await assertNodeError(await put(foreign, encoded.primarySlivers[foreign]), 400, 'SHARD_NOT_ASSIGNED', 'FAILED_PRECONDITION');
    await assertNodeError(await put(N_SHARDS, encoded.primarySlivers[foreign]), 400, 'INDEX_OUT_OF_RANGE', 'INVALID_ARGUMENT');

    const fresh = sdkWasm.encodeBlob(N_SHARDS, randomBytes(BLOB_BYTES, 1001));
    cluster.ledger.registerBlob(fresh.blobId);
    await cluster.client.storeBlobMetadata({ blobId: fresh.blobId, metadata: fresh.metadata }, { nodeUrl });
    const [freshPair] = pairsOfNode(cluster, 0, fresh.blobId);
    const bad = fresh.secondarySlivers[freshPair].slice();
    bad[bad.length - 5] ^= 0x01;
    const response = await fetch(`${nodeUrl}/v1/blobs/${fresh.blobId}/slivers/${freshPair}/secondary`, { method: 'PUT', body: bad });
    await assertNodeError(response, 400, 'INVALID_SLIVER', 'INVALID_ARGUMENT');
  });
});
