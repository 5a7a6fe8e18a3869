/**
 * A daemon whose codec runs on worker threads stores and serves blobs as one running it inline:
 * PUT encodes on a worker (a spooled body in its file, through the descriptor), a GET decodes on
 * one (with a node's slivers failing verification), and an upload whose repair rows come in
 * chunks has each chunk made on a worker while the nodes wait.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BlobCodec } from '../../src/codec/blob-codec.ts';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { CodecWorkers } from '../../src/codec/codec-workers.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { uploadBlob } from '../../src/nodes/blob-upload.ts';
import { CommitteeView } from '../../src/nodes/committee-view.ts';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { readBlob } from '../fixtures/local-store.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

/** Counts the calls that reach the workers, so the test knows the work ran there. */
function counted(codec: BlobCodec, calls: Map<string, number>): BlobCodec {
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  return {
    encode: (...args) => (count('encode'), codec.encode(...args)),
    encodeFile: (...args) => (count('encodeFile'), codec.encodeFile(...args)),
    decode: (...args) => (count('decode'), codec.decode(...args)),
    decodeRowsFromColumns: (...args) => (count('decodeRowsFromColumns'), codec.decodeRowsFromColumns(...args)),
    decodeSelectedRows: (...args) => (count('decodeSelectedRows'), codec.decodeSelectedRows(...args)),
    close: () => codec.close(),
  };
}

describe('a daemon with codec workers', () => {
  let fixture: PublisherFixture;
  let workers: CodecWorkers;
  const calls = new Map<string, number>();

  before(async () => {
    workers = new CodecWorkers({ workers: 1 });
    fixture = await startPublisher({ codec: counted(workers, calls), args: ['--max-body-size', '1MiB', '--spool-threshold', '100KiB', '--spool-stripe-size', '16KiB'] });
  });
  after(async () => {
    await fixture.stop();
    await workers.close();
  });

  it('stores a spooled blob encoded in its file on a worker', async () => {
    const blob = randomBytes(300_007, 3);
    const stored = await fixture.put(blob);
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    assert.equal(calls.get('encodeFile'), 1);
    assert.deepEqual(await readBlob(fixture.chain, stored.json.newlyCreated.blobObject.blobId as string), blob);
  });

  it('stores a blob encoded on a worker, and serves it decoded on a worker', async () => {
    const blob = randomBytes(90_001, 1);
    const stored = await fixture.put(blob);
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    const blobId = stored.json.newlyCreated.blobObject.blobId as string;
    assert.equal(calls.get('encode'), 1);
    assert.deepEqual(await readBlob(fixture.chain, blobId), blob, 'the nodes hold the right slivers');
    // The largest node's slivers fail verification: the read needs repair slivers, so the decode does real work.
    const [largest] = await fixture.nodesByWeight();
    fixture.network.setFaults(largest.name, { corruptSlivers: true });
    try {
      const response = await fetch(`${fixture.url}/v1/blobs/${blobId}`);
      assert.equal(response.status, 200);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
      assert.equal(calls.get('decode'), 1);
    } finally {
      fixture.network.setFaults(largest.name, { corruptSlivers: false });
    }
  });

  it('uploads a chunked encoding whose chunks are made on the worker', async () => {
    const committees = new CommitteeView({ chain: fixture.chain, nodeTimeoutMs: 5_000 });
    try {
      const read = await committees.get(AbortSignal.timeout(10_000));
      const params = EncodingParams.forShards(read.committee.nShards);
      const blob = randomBytes(30_000, 2);
      const rowBytes = params.secondarySourceSymbols * params.symbolSize(blob.length);
      const encoded = await workers.encode(blob, params, { repairRowBudget: 2 * rowBytes });
      assert.ok(encoded.repairRowChunks.length >= 3, `${encoded.repairRowChunks.length} chunks`);
      const wallet = new Ed25519Keypair();
      await fixture.chain.requestFaucet(wallet.toSuiAddress(), 10_000_000_000n);
      const registered = await fixture.chain.registerBlob(wallet, { blobId: blobIdToString(encoded.blobId), rootHash: encoded.rootHash, size: blob.length, encodedLength: params.encodedLength(blob.length), epochs: 1, deletable: false });
      const upload = await uploadBlob({ committee: read, encoded, deletableObjectId: null, signal: AbortSignal.timeout(30_000), background: new AbortController().signal });
      assert.deepEqual(upload.signers, read.committee.members.map((member) => member.index), 'every node got every chunk and signed');
      await fixture.chain.certifyBlob(wallet, { blobObjectId: registered.blobObject.id, certificate: upload.certificate });
      assert.deepEqual(await readBlob(fixture.chain, blobIdToString(encoded.blobId)), blob);
    } finally {
      await committees.close();
    }
  });
});
