/**
 * The write fan-out with repair rows in chunks (the publisher's mode for large blobs): every node
 * gets every sliver, chunk by chunk, a slow node holds the others at each chunk boundary, and the
 * blob certifies and reads back byte for byte.
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
    const registered = await chain.registerBlob(wallet, {
      blobId: blobIdToString(encoded.blobId),
      rootHash: encoded.rootHash,
      size: blob.length,
      encodedLength: params.encodedLength(blob.length),
      epochs: 1,
      deletable: false,
    });
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
});
