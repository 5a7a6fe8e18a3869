import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseBlobId } from '../../src/codec/blob-id.ts';
import { selectKernel } from '../../src/codec/kernel/select-kernel.ts';
import { decodeBlobMetadataWithId, verifyMetadata } from '../../src/codec/metadata.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { decodeSliver } from '../../src/codec/sliver.ts';
import { verifySliver } from '../../src/codec/verify-sliver.ts';
import { pairsOfNode, SMALL_NETWORK, startCluster, uploadToAllNodes, type StorageNodeCluster } from '../fixtures/storage-node-cluster.ts';
import {
  bls12381_min_pk_verify,
  newStorageNodeClient,
  sdkBcs,
  sdkExpectedConfirmation,
  sdkWasm,
  type SdkEncodedBlob,
} from '../fixtures/walrus-sdk.ts';

const N_SHARDS = SMALL_NETWORK.nShards;
const NODE = 2;
const LATENCY_MS = 300;
const CLIENT_TIMEOUT_MS = 400;

let cluster: StorageNodeCluster;
let encoded: SdkEncodedBlob;
const params = EncodingParams.forShards(N_SHARDS);

function nodeUrl(): string {
  return cluster.nodes[NODE].url;
}

describe('storage node fault injection', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
    encoded = sdkWasm.encodeBlob(N_SHARDS, new TextEncoder().encode('fault injection test blob'));
    cluster.ledger.registerBlob(encoded.blobId);
    await uploadToAllNodes(cluster, encoded);
  });
  afterEach(() => {
    cluster.nodes[NODE].setFaults({
      corruptSlivers: false,
      corruptMetadata: false,
      latencyMs: 0,
      withholdConfirmations: false,
      invalidConfirmationSignatures: false,
    });
  });
  after(() => cluster.stop());

  it('serves well-formed slivers that fail verification when told to corrupt them', async () => {
    const metadata = decodeBlobMetadataWithId(new Uint8Array(await (await fetch(`${nodeUrl()}/v1/blobs/${encoded.blobId}/metadata`)).arrayBuffer())).metadata;
    cluster.nodes[NODE].setFaults({ corruptSlivers: true });
    for (const pair of pairsOfNode(cluster, NODE, encoded.blobId)) {
      for (const sliverType of ['primary', 'secondary'] as const) {
        const served = await cluster.client.getSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType }, { nodeUrl: nodeUrl() });
        const original = sliverType === 'primary' ? encoded.primarySlivers[pair] : encoded.secondarySlivers[pair];
        assert.equal(served.length, original.length);
        assert.notDeepEqual(new Uint8Array(served), original);
        sdkBcs.SliverData.parse(new Uint8Array(served));
        assert.throws(() => verifySliver(decodeSliver(new Uint8Array(served), sliverType), metadata, params, selectKernel()), { code: 'INVALID_SLIVER' });
      }
    }
    cluster.nodes[NODE].setFaults({ corruptSlivers: false });
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const healed = await cluster.client.getSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary' }, { nodeUrl: nodeUrl() });
    assert.deepEqual(new Uint8Array(healed), encoded.primarySlivers[pair]);
  });

  it('serves well-formed metadata that no longer derives the blob ID when told to corrupt it', async () => {
    cluster.nodes[NODE].setFaults({ corruptMetadata: true });
    const parsed = await cluster.client.getBlobMetadata({ blobId: encoded.blobId }, { nodeUrl: nodeUrl() });
    assert.equal(parsed.blobId, encoded.blobId);
    const bytes = new Uint8Array(await (await fetch(`${nodeUrl()}/v1/blobs/${encoded.blobId}/metadata`)).arrayBuffer());
    const { metadata } = decodeBlobMetadataWithId(bytes);
    assert.throws(() => verifyMetadata(parseBlobId(encoded.blobId), metadata, params, selectKernel()), { code: 'INVALID_METADATA' });
  });

  it('delays every response by the configured latency', async () => {
    cluster.nodes[NODE].setFaults({ latencyMs: LATENCY_MS });
    const started = performance.now();
    const response = await fetch(`${nodeUrl()}/v1/health`);
    assert.equal(response.status, 200);
    assert.ok(performance.now() - started >= LATENCY_MS - 5);
    assert.throws(() => cluster.nodes[NODE].setFaults({ latencyMs: -1 }), RangeError);
  });

  it('withholds confirmations: the request hangs until the client times out', async () => {
    cluster.nodes[NODE].setFaults({ withholdConfirmations: true });
    const impatient = newStorageNodeClient({ timeout: CLIENT_TIMEOUT_MS });
    await assert.rejects(impatient.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl: nodeUrl() }), (error: Error) => {
      assert.match(error.name + error.message, /time/i);
      return true;
    });
    // Other routes still answer.
    assert.equal(await impatient.getMetadataStatus({ blobId: encoded.blobId }, { nodeUrl: nodeUrl() }), 'stored');
    cluster.nodes[NODE].setFaults({ withholdConfirmations: false });
    const response = await impatient.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl: nodeUrl() });
    assert.equal(response.success.code, 200);
  });

  it('signs confirmations with a wrong key when told to, so they fail verification', async () => {
    cluster.nodes[NODE].setFaults({ invalidConfirmationSignatures: true });
    const response = await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl: nodeUrl() });
    const { serializedMessage, signature } = response.success.data.signed;
    assert.equal(serializedMessage, sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch));
    assert.ok(!bls12381_min_pk_verify(Buffer.from(signature, 'base64'), cluster.keys[NODE].publicKey, Buffer.from(serializedMessage, 'base64')));
  });

  it('stops and starts: an outage, then recovery at the same URL with its data intact', async () => {
    const node = cluster.nodes[NODE];
    const url = node.url;
    // A withheld confirmation is open while the node stops: stop must not wait for it.
    node.setFaults({ withholdConfirmations: true });
    const hanging = assert.rejects(fetch(`${url}/v1/blobs/${encoded.blobId}/confirmation/permanent`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await node.stop();
    await hanging;
    assert.equal(node.running, false);
    await assert.rejects(fetch(`${url}/v1/health`));

    await node.start();
    assert.equal(node.url, url);
    assert.equal(node.running, true);
    node.setFaults({ withholdConfirmations: false });
    for (const pair of pairsOfNode(cluster, NODE, encoded.blobId)) {
      const served = await cluster.client.getSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'secondary' }, { nodeUrl: url });
      assert.deepEqual(new Uint8Array(served), encoded.secondarySlivers[pair]);
    }
    const confirmation = await cluster.client.getPermanentBlobConfirmation({ blobId: encoded.blobId }, { nodeUrl: url });
    assert.equal(confirmation.success.data.signed.serializedMessage, sdkExpectedConfirmation(encoded.blobId, cluster.ledger.epoch));
  });
});
