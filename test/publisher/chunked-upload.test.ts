/**
 * The write fan-out with repair rows in chunks (the publisher's mode for large blobs): every node
 * gets every sliver, chunk by chunk, a slow node holds the others at each chunk boundary, and the
 * blob certifies and reads back byte for byte. A budget of bytes in flight smaller than a sliver
 * sends one sliver at a time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChainClient } from '../../src/chain/local-chain-client.ts';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { LocalNetwork } from '../../src/local/local-network.ts';
import { uploadBlob } from '../../src/nodes/blob-upload.ts';
import { CommitteeView } from '../../src/nodes/committee-view.ts';
import { fastKernel } from '../fixtures/kernels.ts';
import { readBlob } from '../fixtures/local-store.ts';
import { randomBytes } from '../fixtures/random.ts';

describe('uploading a blob whose repair rows come in chunks', () => {
  let dataDir: string;
  let network: LocalNetwork;
  let chain: LocalChainClient;
  let committees: CommitteeView;
  const wallet = new Ed25519Keypair();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'walrus-chunked-upload-'));
    network = await LocalNetwork.start({ dataDir, nodes: 4, shards: 10 });
    chain = new LocalChainClient({ ledgerUrl: network.ledger.url });
    await chain.requestFaucet(wallet.toSuiAddress(), 100_000_000_000n);
    committees = new CommitteeView({ chain, nodeTimeoutMs: 5_000 });
  });

  const register = (encoded: { blobId: Uint8Array; rootHash: Uint8Array }, params: EncodingParams, size: number) =>
    chain.registerBlob(wallet, { blobId: blobIdToString(encoded.blobId), rootHash: encoded.rootHash, size, encodedLength: params.encodedLength(size), epochs: 1, deletable: false });

  after(async () => {
    await committees.close();
    await chain.close();
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores every sliver, certifies, reads back, and drops the last chunk when all nodes are through', async () => {
    const read = await committees.get(AbortSignal.timeout(10_000));
    const params = EncodingParams.forShards(read.committee.nShards);
    const blob = randomBytes(30_000, 11);
    const rowBytes = params.secondarySourceSymbols * params.symbolSize(blob.length);
    const encoded = encodeBlob(blob, params, fastKernel(), { repairRowBudget: 2 * rowBytes });
    assert.ok(encoded.repairRowChunks.length >= 3, `${encoded.repairRowChunks.length} chunks`);
    const registered = await register(encoded, params, blob.length);
    network.setFaults(network.nodes[0].name, { latencyMs: 40 });
    try {
      const upload = await uploadBlob({ committee: read, encoded, deletableObjectId: null, signal: AbortSignal.timeout(30_000), background: new AbortController().signal });
      assert.deepEqual(upload.signers, read.committee.members.map((member) => member.index), 'the slow node kept up at every chunk and signed');
      await chain.certifyBlob(wallet, { blobObjectId: registered.blobObject.id, certificate: upload.certificate });
    } finally {
      network.setFaults(network.nodes[0].name, { latencyMs: 0 });
    }
    assert.deepEqual(await readBlob(chain, blobIdToString(encoded.blobId)), blob);
    assert.throws(() => encoded.primarySliver(params.n - 1), RangeError, 'the last chunk is released');
  });

  it('keeps to a budget of one sliver in flight at a time, and still reaches every node', async () => {
    const read = await committees.get(AbortSignal.timeout(10_000));
    const params = EncodingParams.forShards(read.committee.nShards);
    const blob = randomBytes(20_000, 12);
    const encoded = encodeBlob(blob, params, fastKernel());
    let inFlight = 0;
    let most = 0;
    const counted = {
      ...encoded,
      sliverBcs: async (type: 'primary' | 'secondary', index: number) => {
        most = Math.max(most, ++inFlight);
        // Given back when the node answered, which the budget waits for: count down a turn later.
        setImmediate(() => inFlight--);
        return encoded.sliverBcs(type, index);
      },
    };
    const registered = await register(encoded, params, blob.length);
    const upload = await uploadBlob({ committee: read, encoded: counted, deletableObjectId: null, signal: AbortSignal.timeout(30_000), background: new AbortController().signal, maxBytesInFlight: 1 });
    assert.deepEqual(upload.signers, read.committee.members.map((member) => member.index));
    assert.equal(most, 1, 'one sliver made at a time');
    await chain.certifyBlob(wallet, { blobObjectId: registered.blobObject.id, certificate: upload.certificate });
    assert.deepEqual(await readBlob(chain, blobIdToString(encoded.blobId)), blob);
  });
});
