import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metadataBcsLength } from '../../src/codec/metadata.ts';
import {
  assertNodeError,
  assertPlainRejection,
  assertSdkRejects,
  SMALL_NETWORK,
  startCluster,
  uniqueBlob,
  type StorageNodeCluster,
} from '../fixtures/storage-node-cluster.ts';
import { sdkBcs, type SdkEncodedBlob } from '../fixtures/walrus-sdk.ts';

const N_SHARDS = SMALL_NETWORK.nShards;
const OCTET_STREAM = { 'content-type': 'application/octet-stream' };

let cluster: StorageNodeCluster;

/** A fresh blob (unique bytes), encoded by the SDK's wasm encoder. */

function metadataBytes(encoded: SdkEncodedBlob): Uint8Array {
  return sdkBcs.BlobMetadata.serialize(encoded.metadata).toBytes();
}

function putMetadata(blobId: string, body: Uint8Array | string, headers: Record<string, string> = OCTET_STREAM, query = '') {
  return fetch(`${cluster.nodes[0].url}/v1/blobs/${blobId}/metadata${query}`, { method: 'PUT', body, headers });
}

describe('storage node metadata routes', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('stores metadata from the official client and serves it back as BlobMetadataWithId', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    const nodeUrl = cluster.nodes[1].url;
    const { client } = cluster;

    assert.equal(await client.getMetadataStatus({ blobId: encoded.blobId }, { nodeUrl }), 'nonexistent');
    const stored = await client.storeBlobMetadata({ blobId: encoded.blobId, metadata: encoded.metadata }, { nodeUrl });
    assert.deepEqual(stored, { success: { code: 201, data: 'metadata successfully stored' } });
    const again = await client.storeBlobMetadata({ blobId: encoded.blobId, metadata: encoded.metadata }, { nodeUrl });
    assert.deepEqual(again, { success: { code: 200, data: 'metadata already stored' } });
    assert.equal(await client.getMetadataStatus({ blobId: encoded.blobId }, { nodeUrl }), 'stored');

    const withId = await client.getBlobMetadata({ blobId: encoded.blobId }, { nodeUrl });
    assert.equal(withId.blobId, encoded.blobId);
    assert.deepEqual(sdkBcs.BlobMetadata.serialize(withId.metadata).toBytes(), metadataBytes(encoded));

    const raw = await fetch(`${nodeUrl}/v1/blobs/${encoded.blobId}/metadata`);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('content-type'), 'application/octet-stream');
    const bytes = new Uint8Array(await raw.arrayBuffer());
    assert.equal(bytes.length, 32 + metadataBcsLength(N_SHARDS));
    assert.deepEqual(bytes.subarray(32), metadataBytes(encoded));
  });

  it('answers the metadata status JSON envelope with lowercase statuses', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    const response = await fetch(`${cluster.nodes[0].url}/v1/blobs/${encoded.blobId}/metadata/status`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { success: { code: 200, data: 'nonexistent' } });
  });

  it('refuses metadata of an unregistered blob with NOT_REGISTERED', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    await assertSdkRejects(
      cluster.client.storeBlobMetadata({ blobId: encoded.blobId, metadata: encoded.metadata }, { nodeUrl: cluster.nodes[0].url }),
      400,
      'NOT_REGISTERED',
    );
    await assertNodeError(await putMetadata(encoded.blobId, metadataBytes(encoded)), 400, 'NOT_REGISTERED', 'FAILED_PRECONDITION');
  });

  it('accepts a blob registered right after the node last said NOT_REGISTERED', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    await assertNodeError(await putMetadata(encoded.blobId, metadataBytes(encoded)), 400, 'NOT_REGISTERED', 'FAILED_PRECONDITION');
    cluster.ledger.registerBlob(encoded.blobId);
    const response = await putMetadata(encoded.blobId, metadataBytes(encoded));
    assert.equal(response.status, 201, await response.text());
  });

  it('refuses metadata that does not derive the blob ID with INVALID_METADATA', async () => {
    const target = uniqueBlob(N_SHARDS);
    const other = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(target.blobId);
    await assertNodeError(await putMetadata(target.blobId, metadataBytes(other)), 400, 'INVALID_METADATA', 'INVALID_ARGUMENT');
    assert.equal(await cluster.client.getMetadataStatus({ blobId: target.blobId }, { nodeUrl: cluster.nodes[0].url }), 'nonexistent');
  });

  it('refuses malformed BCS with INVALID_CONTENT_TYPE', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    const good = metadataBytes(encoded);
    const truncated = good.subarray(0, good.length - 1);
    const trailing = new Uint8Array([...good, 0]);
    const legacyEncoding = good.slice();
    legacyEncoding[1] = 0;
    for (const body of [new Uint8Array(0), truncated, trailing, legacyEncoding]) {
      await assertNodeError(await putMetadata(encoded.blobId, body), 400, 'INVALID_CONTENT_TYPE', 'INVALID_ARGUMENT');
    }
  });

  it('accepts application/octet-stream (with parameters) or no content type, and nothing else', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    const body = metadataBytes(encoded);
    await assertNodeError(await putMetadata(encoded.blobId, body, { 'content-type': 'application/json' }), 400, 'INVALID_CONTENT_TYPE', 'INVALID_ARGUMENT');
    const untyped = await fetch(`${cluster.nodes[0].url}/v1/blobs/${encoded.blobId}/metadata`, { method: 'PUT', body: new Blob([body]) });
    assert.equal(untyped.status, 201, await untyped.text());
    const withParameter = await putMetadata(encoded.blobId, body, { 'content-type': 'application/octet-stream; charset=binary' });
    assert.equal(withParameter.status, 200);
  });

  it('caps the body at the BCS metadata size and answers INVALID_CONTENT_TYPE past it, as the Bcs extractor does', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    const oversize = new Uint8Array(metadataBcsLength(N_SHARDS) + 129);
    await assertNodeError(await putMetadata(encoded.blobId, oversize), 400, 'INVALID_CONTENT_TYPE', 'INVALID_ARGUMENT');
  });

  it('answers a bad blob ID in the path with a plain-text 400', async () => {
    const url = cluster.nodes[0].url;
    const nonCanonical = 'kfhAwEGrCYXNqnGv2jNMEVS3pX0yVV5M15csfujtUDh'; // low bits of the last character set
    for (const blobId of ['not-a-blob-id', nonCanonical, 'A'.repeat(44)]) {
      assert.match(await assertPlainRejection(await fetch(`${url}/v1/blobs/${blobId}/metadata`), 400), /blob ID/);
      await assertPlainRejection(await fetch(`${url}/v1/blobs/${blobId}/metadata/status`), 400);
      await assertPlainRejection(await putMetadata(blobId, new Uint8Array(10)), 400);
    }
  });

  it('answers METADATA_NOT_FOUND (404) for metadata it does not hold', async () => {
    const registered = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(registered.blobId);
    const unregistered = uniqueBlob(N_SHARDS);
    for (const { blobId } of [registered, unregistered]) {
      await assertNodeError(await fetch(`${cluster.nodes[0].url}/v1/blobs/${blobId}/metadata`), 404, 'METADATA_NOT_FOUND', 'NOT_FOUND');
      await assertSdkRejects(cluster.client.getBlobMetadata({ blobId }, { nodeUrl: cluster.nodes[0].url }), 404, 'METADATA_NOT_FOUND');
    }
  });

  it('refuses metadata of an invalidated blob ID with INVALID_BLOB', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    cluster.ledger.registerBlob(encoded.blobId);
    cluster.ledger.invalidateBlobId(encoded.blobId);
    await assertNodeError(await putMetadata(encoded.blobId, metadataBytes(encoded)), 400, 'INVALID_BLOB', 'FAILED_PRECONDITION');
  });

  it('has no pending-upload buffer: pending=true is CACHE_SATURATED before registration, 202 after', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    await assertNodeError(await putMetadata(encoded.blobId, metadataBytes(encoded), OCTET_STREAM, '?pending=true'), 400, 'CACHE_SATURATED', 'FAILED_PRECONDITION');
    cluster.ledger.registerBlob(encoded.blobId);
    const accepted = await putMetadata(encoded.blobId, metadataBytes(encoded), OCTET_STREAM, '?pending=true');
    assert.deepEqual(await accepted.json(), { success: { code: 202, data: 'metadata buffered pending registration' } });
    assert.equal(accepted.status, 202);
    await assertPlainRejection(await putMetadata(encoded.blobId, metadataBytes(encoded), OCTET_STREAM, '?pending=maybe'), 400);
  });
});
