import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeConfirmation } from '../../src/codec/confirmation.ts';
import { parseBlobId } from '../../src/codec/blob-id.ts';
import { uncompressedPublicKey } from '../../src/crypto/bls.ts';
import {
  assertNodeError,
  assertPlainRejection,
  assertSdkRejects,
  pairsOfNode,
  SMALL_NETWORK,
  startCluster,
  uniqueBlob,
  uploadToAllNodes,
  uploadToNode,
  type StorageNodeCluster,
} from '../fixtures/storage-node-cluster.ts';
import {
  bls12381_min_pk_verify,
  sdkExpectedConfirmation,
  sdkWasm,
  type SdkConfirmation,
} from '../fixtures/walrus-sdk.ts';

const N_SHARDS = SMALL_NETWORK.nShards;

let cluster: StorageNodeCluster;

/** Checks a confirmation the way the SDK does, with the wasm min_pk verifier, and byte for byte. */
function assertValidConfirmation(confirmation: SdkConfirmation, node: number, expectedMessage: string): void {
  assert.equal(confirmation.serializedMessage, expectedMessage);
  const message = Buffer.from(confirmation.serializedMessage, 'base64');
  const signature = Buffer.from(confirmation.signature, 'base64');
  assert.equal(signature.length, 96);
  const { publicKey } = cluster.keys[node];
  assert.ok(bls12381_min_pk_verify(signature, publicKey, message), 'verifies with the compressed key');
  assert.ok(sdkWasm.getVerifySignature()(confirmation, uncompressedPublicKey(publicKey)), 'verifies as the SDK does, with the on-chain key');
}

function confirmationUrl(node: number, blobId: string, suffix = 'permanent'): string {
  return `${cluster.nodes[node].url}/v1/blobs/${blobId}/confirmation/${suffix}`;
}

describe('storage node confirmations', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('signs a permanent confirmation every node of the committee verifies under the SDK', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    await uploadToAllNodes(cluster, encoded);
    const expected = sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch);
    for (let node = 0; node < cluster.nodes.length; node++) {
      const response = await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl: cluster.nodes[node].url });
      assert.equal(response.success.code, 200);
      assertValidConfirmation(response.success.data.signed, node, expected);
    }
  });

  it('signs a deletable confirmation naming the Blob object', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    const objectId = cluster.ledger.registerBlob(encoded.blobId, { deletable: true });
    await uploadToAllNodes(cluster, encoded);
    const expected = sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch, objectId);
    for (let node = 0; node < cluster.nodes.length; node++) {
      const response = await cluster.client.getDeletableBlobConfirmation({ blobId: encoded.blobId, objectId }, { nodeUrl: cluster.nodes[node].url });
      assertValidConfirmation(response.success.data.signed, node, expected);
      const decoded = decodeConfirmation(Buffer.from(response.success.data.signed.serializedMessage, 'base64'));
      assert.equal(decoded.persistence.kind, 'deletable');
    }
    // The object ID may also be written in its short `0x` form, as Sui's parser allows.
    const short = '0x' + objectId.slice(2).replace(/^0+/, '');
    const response = await fetch(confirmationUrl(0, encoded.blobId, `deletable/${short}`));
    assert.equal(response.status, 200);
  });

  it('refuses to confirm before it holds every sliver of its shards with MISSING_SLIVERS', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    const node = 3;
    const nodeUrl = cluster.nodes[node].url;
    await cluster.client.storeBlobMetadata({ blobId: encoded.blobId, metadata: encoded.metadata }, { nodeUrl });
    await assertNodeError(await fetch(confirmationUrl(node, encoded.blobId)), 400, 'MISSING_SLIVERS', 'FAILED_PRECONDITION');
    const pairs = pairsOfNode(cluster, node, encoded.blobId);
    for (const pair of pairs) {
      await cluster.client.storeSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary', sliver: encoded.primarySlivers[pair] }, { nodeUrl });
    }
    // Every primary but no secondary: still missing.
    await assertSdkRejects(cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl }), 400, 'MISSING_SLIVERS');
    await uploadToNode(cluster, node, encoded);
    const response = await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl });
    assertValidConfirmation(response.success.data.signed, node, sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch));
  });

  it('refuses to confirm a blob without a matching live registration with NOT_REGISTERED', async () => {
    const unregistered = uniqueBlob(N_SHARDS);
    await assertSdkRejects(cluster.client.getPermanentBlobConfirmation({ blobId: unregistered.blobId }, { nodeUrl: cluster.nodes[0].url }), 400, 'NOT_REGISTERED');

    const deletableOnly = uniqueBlob(N_SHARDS);
    const objectId = cluster.ledger.registerBlob(deletableOnly.blobId, { deletable: true });
    await uploadToAllNodes(cluster, deletableOnly);
    // A permanent confirmation needs a permanent Blob object.
    await assertNodeError(await fetch(confirmationUrl(0, deletableOnly.blobId)), 400, 'NOT_REGISTERED', 'FAILED_PRECONDITION');
    // A deletable confirmation needs this very object, still live.
    const otherObject = '0x' + 'ab'.repeat(32);
    await assertNodeError(await fetch(confirmationUrl(0, deletableOnly.blobId, `deletable/${otherObject}`)), 400, 'NOT_REGISTERED', 'FAILED_PRECONDITION');
    cluster.ledger.deleteBlob(objectId);
    await assertNodeError(await fetch(confirmationUrl(0, deletableOnly.blobId, `deletable/${objectId}`)), 400, 'NOT_REGISTERED', 'FAILED_PRECONDITION');
  });

  it('signs with the ledger’s current epoch', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId, { epochs: 10 });
    await uploadToAllNodes(cluster, encoded);
    cluster.ledger.advanceEpoch();
    const response = await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl: cluster.nodes[2].url });
    const decoded = decodeConfirmation(Buffer.from(response.success.data.signed.serializedMessage, 'base64'));
    assert.equal(decoded.epoch, cluster.ledger.epoch);
    assert.deepEqual(Uint8Array.from(decoded.blobId), parseBlobId(encoded.blobId));
    assertValidConfirmation(response.success.data.signed, 2, sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch));
  });

  it('answers a bad object ID or query with a plain-text 400', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    for (const objectId of ['0x', '0xzz', 'ab'.repeat(31), '0x' + '1'.repeat(65)]) {
      await assertPlainRejection(await fetch(confirmationUrl(0, encoded.blobId, `deletable/${objectId}`)), 400);
    }
    await assertPlainRejection(await fetch(confirmationUrl(0, encoded.blobId) + '?wait_for_registration=yes'), 400);
    await assertPlainRejection(await fetch(confirmationUrl(0, encoded.blobId) + '?wait_millis=-5'), 400);
    await assertPlainRejection(await fetch(confirmationUrl(0, 'short')), 400);
  });
});
