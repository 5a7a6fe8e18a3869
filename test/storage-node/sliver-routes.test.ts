import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EncodingParams, MAX_SYMBOL_SIZE } from '../../src/codec/params.ts';
import {
  assertNodeError,
  assertPlainRejection,
  assertSdkRejects,
  foreignPair,
  pairsOfNode,
  SMALL_NETWORK,
  startCluster,
  uniqueBlob,
  uploadToNode,
  type StorageNodeCluster,
} from '../fixtures/storage-node-cluster.ts';
import { sdkBcs, type SdkEncodedBlob } from '../fixtures/walrus-sdk.ts';

const N_SHARDS = SMALL_NETWORK.nShards;
/** The node under test owns 4 of the 10 shards. */
const NODE = 3;

let cluster: StorageNodeCluster;

/** A registered blob whose metadata the node under test already holds. */
async function blobWithMetadata(size?: number): Promise<SdkEncodedBlob> {
  const encoded = uniqueBlob(N_SHARDS, size);
  cluster.ledger.registerBlob(encoded.blobId);
  await cluster.client.storeBlobMetadata({ blobId: encoded.blobId, metadata: encoded.metadata }, { nodeUrl: cluster.nodes[NODE].url });
  return encoded;
}

function sliverUrl(blobId: string, pair: number | string, type: string): string {
  return `${cluster.nodes[NODE].url}/v1/blobs/${blobId}/slivers/${pair}/${type}`;
}

function putSliver(blobId: string, pair: number | string, type: string, body: Uint8Array): Promise<Response> {
  return fetch(sliverUrl(blobId, pair, type), { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
}

describe('storage node sliver routes', () => {
  before(async () => {
    cluster = await startCluster(SMALL_NETWORK);
  });
  after(() => cluster.stop());

  it('round-trips every primary and secondary sliver a node owns through the official client', async () => {
    const encoded = uniqueBlob(N_SHARDS, 5_000);
    cluster.ledger.registerBlob(encoded.blobId);
    for (let node = 0; node < cluster.nodes.length; node++) {
      await uploadToNode(cluster, node, encoded);
      const nodeUrl = cluster.nodes[node].url;
      for (const pair of pairsOfNode(cluster, node, encoded.blobId)) {
        for (const sliverType of ['primary', 'secondary'] as const) {
          const expected = sliverType === 'primary' ? encoded.primarySlivers[pair] : encoded.secondarySlivers[pair];
          const served = await cluster.client.getSliver({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType }, { nodeUrl });
          assert.deepEqual(new Uint8Array(served), expected);
          const status = await cluster.client.getSliverStatus({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType }, { nodeUrl });
          assert.equal(status, 'stored');
          const parsed = sdkBcs.SliverData.parse(new Uint8Array(served));
          assert.equal(parsed.index, sliverType === 'primary' ? pair : N_SHARDS - 1 - pair);
        }
      }
    }
  });

  it('answers 201, then 200 "sliver already stored", with the exact envelopes', async () => {
    const encoded = await blobWithMetadata();
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const input = { blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'primary' as const, sliver: encoded.primarySlivers[pair] };
    const nodeUrl = cluster.nodes[NODE].url;
    assert.equal(await cluster.client.getSliverStatus(input, { nodeUrl }), 'nonexistent');
    assert.deepEqual(await cluster.client.storeSliver(input, { nodeUrl }), { success: { code: 201, data: 'sliver stored successfully' } });
    assert.deepEqual(await cluster.client.storeSliver(input, { nodeUrl }), { success: { code: 200, data: 'sliver already stored' } });
    const raw = await fetch(sliverUrl(encoded.blobId, pair, 'primary'));
    assert.equal(raw.headers.get('content-type'), 'application/octet-stream');
  });

  it('refuses a pair whose shard the node does not own with SHARD_NOT_ASSIGNED', async () => {
    const encoded = await blobWithMetadata();
    const pair = foreignPair(cluster, NODE, encoded.blobId);
    await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', encoded.primarySlivers[pair]), 400, 'SHARD_NOT_ASSIGNED', 'FAILED_PRECONDITION');
    await assertNodeError(await fetch(sliverUrl(encoded.blobId, pair, 'secondary')), 400, 'SHARD_NOT_ASSIGNED', 'FAILED_PRECONDITION');
    await assertNodeError(await fetch(sliverUrl(encoded.blobId, pair, 'primary') + '/status'), 400, 'SHARD_NOT_ASSIGNED', 'FAILED_PRECONDITION');
  });

  it('refuses a pair index ≥ n with INDEX_OUT_OF_RANGE', async () => {
    const encoded = await blobWithMetadata();
    const body = encoded.primarySlivers[0];
    await assertNodeError(await putSliver(encoded.blobId, N_SHARDS, 'primary', body), 400, 'INDEX_OUT_OF_RANGE', 'INVALID_ARGUMENT');
    await assertNodeError(await fetch(sliverUrl(encoded.blobId, 65_535, 'primary')), 400, 'INDEX_OUT_OF_RANGE', 'INVALID_ARGUMENT');
    await assertNodeError(await fetch(sliverUrl(encoded.blobId, N_SHARDS, 'primary') + '/status'), 400, 'INDEX_OUT_OF_RANGE', 'INVALID_ARGUMENT');
  });

  it('refuses a sliver whose index is not the one the path implies with SLIVER_INDEX_MISMATCH', async () => {
    const encoded = await blobWithMetadata();
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const otherPair = (pair + 1) % N_SHARDS;
    await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', encoded.primarySlivers[otherPair]), 400, 'SLIVER_INDEX_MISMATCH', 'INVALID_ARGUMENT');
    // A secondary sliver at pair i has sliver index n−1−i: sending it as a primary is a mismatch too.
    if (pair !== N_SHARDS - 1 - pair) {
      await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', encoded.secondarySlivers[pair]), 400, 'SLIVER_INDEX_MISMATCH', 'INVALID_ARGUMENT');
    }
  });

  it('refuses a corrupted sliver with INVALID_SLIVER and keeps nothing of it', async () => {
    const encoded = await blobWithMetadata();
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const corrupted = encoded.secondarySlivers[pair].slice();
    corrupted[3] ^= 0x01;
    await assertNodeError(await putSliver(encoded.blobId, pair, 'secondary', corrupted), 400, 'INVALID_SLIVER', 'INVALID_ARGUMENT');
    const parsed = sdkBcs.SliverData.parse(encoded.primarySlivers[pair]);
    const wrongSymbolSize = sdkBcs.SliverData.serialize({ ...parsed, symbols: { ...parsed.symbols, symbol_size: parsed.symbols.symbol_size + 2 } }).toBytes();
    await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', wrongSymbolSize), 400, 'INVALID_SLIVER', 'INVALID_ARGUMENT');
    const shortData = sdkBcs.SliverData.serialize({ ...parsed, symbols: { ...parsed.symbols, data: parsed.symbols.data.slice(1) } }).toBytes();
    await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', shortData), 400, 'INVALID_SLIVER', 'INVALID_ARGUMENT');
    const status = await cluster.client.getSliverStatus({ blobId: encoded.blobId, sliverPairIndex: pair, sliverType: 'secondary' }, { nodeUrl: cluster.nodes[NODE].url });
    assert.equal(status, 'nonexistent');
  });

  it('refuses slivers of an unregistered blob with NOT_REGISTERED, and before metadata with METADATA_NOT_FOUND', async () => {
    const unregistered = uniqueBlob(N_SHARDS);
    const [pair] = pairsOfNode(cluster, NODE, unregistered.blobId);
    await assertSdkRejects(
      cluster.client.storeSliver(
        { blobId: unregistered.blobId, sliverPairIndex: pair, sliverType: 'primary', sliver: unregistered.primarySlivers[pair] },
        { nodeUrl: cluster.nodes[NODE].url },
      ),
      400,
      'NOT_REGISTERED',
    );
    cluster.ledger.registerBlob(unregistered.blobId);
    await assertNodeError(await putSliver(unregistered.blobId, pair, 'primary', unregistered.primarySlivers[pair]), 400, 'METADATA_NOT_FOUND', 'FAILED_PRECONDITION');
  });

  it('answers SLIVER_NOT_FOUND (404) for slivers it does not hold', async () => {
    const encoded = await blobWithMetadata();
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    await assertNodeError(await fetch(sliverUrl(encoded.blobId, pair, 'primary')), 404, 'SLIVER_NOT_FOUND', 'NOT_FOUND');
    const unregistered = uniqueBlob(N_SHARDS);
    const [otherPair] = pairsOfNode(cluster, NODE, unregistered.blobId);
    await assertSdkRejects(
      cluster.client.getSliver({ blobId: unregistered.blobId, sliverPairIndex: otherPair, sliverType: 'secondary' }, { nodeUrl: cluster.nodes[NODE].url }),
      404,
      'SLIVER_NOT_FOUND',
    );
  });

  it('refuses malformed BCS with INVALID_CONTENT_TYPE, whatever the content type', async () => {
    const encoded = await blobWithMetadata();
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const good = encoded.primarySlivers[pair];
    const zeroSymbolSize = good.slice();
    zeroSymbolSize.set([0, 0], good.length - 4);
    for (const body of [new Uint8Array(0), good.subarray(0, good.length - 1), new Uint8Array([...good, 7]), zeroSymbolSize]) {
      await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', body), 400, 'INVALID_CONTENT_TYPE', 'INVALID_ARGUMENT');
    }
    // The reference reads sliver bodies as raw bytes: the content type is not checked.
    const asText = await fetch(sliverUrl(encoded.blobId, pair, 'primary'), { method: 'PUT', body: good, headers: { 'content-type': 'text/plain' } });
    assert.equal(asText.status, 201, await asText.text());
  });

  it('caps sliver bodies at s·65534 + 128 bytes and answers a plain-text 413 past it', async () => {
    const encoded = await blobWithMetadata();
    const [pair] = pairsOfNode(cluster, NODE, encoded.blobId);
    const limit = EncodingParams.forShards(N_SHARDS).primarySliverSize(MAX_SYMBOL_SIZE) + 128;
    const text = await assertPlainRejection(await putSliver(encoded.blobId, pair, 'primary', new Uint8Array(limit + 1)), 413);
    assert.equal(text, 'Failed to buffer the request body: length limit exceeded');
    // At the limit the body is read and judged on its content.
    await assertNodeError(await putSliver(encoded.blobId, pair, 'primary', new Uint8Array(limit)), 400, 'INVALID_CONTENT_TYPE', 'INVALID_ARGUMENT');
  });

  it('answers bad path segments with a plain-text 400', async () => {
    const encoded = uniqueBlob(N_SHARDS);
    for (const [blobId, pair, type] of [
      ['bad-id', '0', 'primary'],
      [encoded.blobId, 'x', 'primary'],
      [encoded.blobId, '65536', 'primary'],
      [encoded.blobId, '-1', 'primary'],
      [encoded.blobId, '0', 'Primary'],
      [encoded.blobId, '0', 'tertiary'],
    ]) {
      await assertPlainRejection(await fetch(sliverUrl(blobId, pair, type)), 400);
      await assertPlainRejection(await putSliver(blobId, pair, type, new Uint8Array(8)), 400);
      await assertPlainRejection(await fetch(sliverUrl(blobId, pair, type) + '/status'), 400);
    }
  });
});
