import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bcs } from '@mysten/sui/bcs';
import { normalizeStructTag, normalizeSuiObjectId } from '@mysten/sui/utils';
import { InvalidChainResponseError } from '../../src/chain/chain-errors.ts';
import { SuiChainClient } from '../../src/chain/sui-chain-client.ts';
import { resolveSuiNetwork } from '../../src/chain/sui-network-presets.ts';
import { blobIdFromU256, blobIdToString } from '../../src/codec/blob-id.ts';
import { FakeSuiClient } from './fake-sui-client.ts';
import {
  addBlobAttributes,
  blobBytes,
  installWalrus,
  STAKING_OBJECT_ID,
  SYSTEM_OBJECT_ID,
  WAL_COIN_TYPE,
  walrusStateFixture,
  WALRUS_ORIGINAL_ID,
  type BlobFixture,
  type WalrusOnFakeChainOptions,
  type WalrusStateFixture,
} from './sui-fixtures.ts';

/**
 * SuiChainClient's reads against a fake full node (`fake-sui-client.ts`) holding Walrus objects
 * encoded with the official SDK's BCS types, behind the SDK's own core-API code for objects and
 * dynamic fields. What this proves: the client finds the versioned inner states, the pools, WAL's
 * type and Blob objects where Sui keeps them and turns them into the gateway's model. What it does
 * not: that a live network answers the same (the gRPC transport itself is not exercised).
 */
function clientOn(options: WalrusOnFakeChainOptions & { fixture?: WalrusStateFixture; epochState?: 'EpochChangeSync' | 'EpochChangeDone' } = {}) {
  const fixture = options.fixture ?? walrusStateFixture({ epochState: options.epochState ?? 'EpochChangeDone' });
  const fake = new FakeSuiClient();
  installWalrus(fake, fixture, options);
  const network = resolveSuiNetwork({ network: 'custom', rpcUrl: 'http://127.0.0.1:9', systemObjectId: SYSTEM_OBJECT_ID, stakingObjectId: STAKING_OBJECT_ID });
  return { fixture, fake, chain: new SuiChainClient({ network, client: fake }) };
}

/** How many `getObjects` calls asked for a staking pool. */
const poolReads = (fake: FakeSuiClient, poolId: string) =>
  fake.callsOf('getObjects').filter((options) => (options as { objectIds: string[] }).objectIds.includes(poolId)).length;

describe('SuiChainClient reads (fake full node, SDK-encoded Walrus objects)', () => {
  it('system state: epoch, prices, limits and the committee from the versioned inner states and the pools', async () => {
    const { fixture, fake, chain } = clientOn();
    const state = await chain.getSystemState();
    assert.equal(state.epoch.epoch, fixture.epoch);
    assert.equal(state.epoch.durationMs, 86_400_000);
    assert.deepEqual(state.prices, { storagePricePerUnitSize: 11_000n, writePricePerUnitSize: 20_000n });
    assert.equal(state.maxEpochsAhead, 53);
    assert.equal(state.committee.nShards, fixture.nShards);
    assert.deepEqual(
      state.committee.members.map((member) => [member.index, member.nodeId, member.name, member.url, member.weight, member.shards]),
      fixture.nodes.map((node, i) => [i, node.nodeId, node.name, `https://${node.networkAddress}`, node.shards.length, node.shards]),
    );
    fixture.nodes.forEach((node, i) => {
      assert.deepEqual(state.committee.members[i].blsPublicKey, node.blsPublicKey);
      assert.deepEqual(state.committee.members[i].networkPublicKey, node.networkPublicKey, 'the TLS key storage-node connections are pinned to');
    });
    assert.equal(state.epochState, 'EpochChangeDone');
    assert.deepEqual(state.previousCommittee?.members.map((member) => member.shards), fixture.nodes.map((node) => node.previousShards));

    await chain.getSystemState();
    assert.equal(poolReads(fake, fixture.nodes[0].nodeId), 1, 'pools are read once per epoch, not per call');
  });

  it('during epoch change the previous committee is kept with its own shard map', async () => {
    const { fixture, chain } = clientOn({ epochState: 'EpochChangeSync' });
    const state = await chain.getSystemState();
    assert.equal(state.epochState, 'EpochChangeSync');
    assert.equal(state.previousCommittee?.epoch, fixture.epoch - 1);
    assert.equal(state.previousCommittee?.memberByShard[3].nodeId, fixture.nodes[1].nodeId, 'shard 3 was node 1’s in the previous epoch');
    assert.equal(state.committee.memberByShard[3].nodeId, fixture.nodes[3].nodeId);
  });

  it('an epoch change between the System and Staking reads is retried once, with fresh pools', async () => {
    const fixture = walrusStateFixture({ epochState: 'EpochChangeDone' });
    const next = walrusStateFixture({ epochState: 'EpochChangeDone', epoch: 8 });
    let systemReads = 0;
    // The first System read already shows epoch 8 while Staking still says 7: the objects disagree.
    const { fake, chain } = clientOn({ fixture, systemInner: () => (systemReads++ === 0 ? next.systemInnerBytes : fixture.systemInnerBytes) });
    const state = await chain.getSystemState();
    assert.equal(systemReads, 2, 'read again after the mismatch');
    assert.equal(state.epoch.epoch, 7);
    assert.equal(poolReads(fake, fixture.nodes[0].nodeId), 2, 'the pool cache is dropped on the retry');
  });

  it('a mismatch that persists is not retried forever: InvalidChainResponseError after the second read', async () => {
    const next = walrusStateFixture({ epochState: 'EpochChangeDone', epoch: 8 });
    let systemReads = 0;
    const { chain } = clientOn({
      systemInner: () => {
        systemReads++;
        return next.systemInnerBytes;
      },
    });
    await assert.rejects(chain.getSystemState(), (error: unknown) => error instanceof InvalidChainResponseError && /epoch 8 but staking state at 7/.test(error.message));
    assert.equal(systemReads, 2);
  });

  it('a new epoch brings a new committee: pools are read again', async () => {
    const fixture = walrusStateFixture({ epochState: 'EpochChangeDone' });
    const later = walrusStateFixture({ epochState: 'EpochChangeDone', epoch: 9 });
    let epoch = 7;
    const { fake, chain } = clientOn({
      fixture,
      systemInner: () => (epoch === 7 ? fixture.systemInnerBytes : later.systemInnerBytes),
      stakingInner: () => (epoch === 7 ? fixture.stakingInnerBytes : later.stakingInnerBytes),
    });
    assert.equal((await chain.getSystemState()).epoch.epoch, 7);
    // The same nodes re-registered with new TLS keys by the next epoch.
    for (const [nodeId, content] of later.poolBytes) fake.addObject({ objectId: nodeId, type: `${WALRUS_ORIGINAL_ID}::staking_pool::StakingPool`, owner: { $kind: 'Shared', Shared: { initialSharedVersion: '9' } }, content });
    epoch = 9;
    const state = await chain.getSystemState();
    assert.equal(state.epoch.epoch, 9);
    assert.deepEqual(state.committee.members.map((member) => member.networkPublicKey), later.nodes.map((node) => node.networkPublicKey));
    assert.equal(poolReads(fake, later.nodes[0].nodeId), 2);
  });

  it('WAL balance: the coin type comes from staking::stake_with_pool, as the SDK finds it', async () => {
    const { fake, chain } = clientOn();
    const owner = normalizeSuiObjectId('0x0a11');
    fake.addCoin(owner, WAL_COIN_TYPE, 7n);
    fake.addCoin(owner, WAL_COIN_TYPE, 35n);
    fake.addCoin(owner, '0x2::sui::SUI', 1_000n);
    assert.equal(await chain.getBalance(owner), 42n);
    assert.equal(await chain.getGasBalance(owner), 1_000n);
    const walQueries = fake.callsOf('getBalance').filter((options) => (options as { coinType: string }).coinType === normalizeStructTag(WAL_COIN_TYPE));
    assert.equal(walQueries.length, 1);
    assert.equal(await chain.getBalance(normalizeSuiObjectId('0x0b0b')), 0n);
  });

  describe('Blob objects', () => {
    const owner = normalizeSuiObjectId('0x0a11');
    const blob: BlobFixture = {
      id: normalizeSuiObjectId('0xb10b'),
      blobId: 0x1234_5678_9abc_def0n << 64n,
      size: 1_000n,
      registeredEpoch: 5,
      certifiedEpoch: 6,
      deletable: true,
      storage: { id: normalizeSuiObjectId('0x5707'), startEpoch: 5, endEpoch: 9, size: 70_000_000n },
    };
    const blobType = `${WALRUS_ORIGINAL_ID}::blob::Blob`;

    it('an owned Blob with attributes, field by field', async () => {
      const { fake, chain } = clientOn();
      fake.addObject({ objectId: blob.id, type: blobType, owner: { $kind: 'AddressOwner', AddressOwner: owner }, content: blobBytes(blob) });
      addBlobAttributes(fake, blob.id, { 'content-type': 'image/png', x: 'y' });
      assert.deepEqual(await chain.getBlobObject(blob.id), {
        id: blob.id,
        registeredEpoch: 5,
        blobId: blobIdToString(blobIdFromU256(blob.blobId)),
        size: 1_000,
        encodingType: 'RS2',
        certifiedEpoch: 6,
        storage: { id: blob.storage.id, startEpoch: 5, endEpoch: 9, storageSize: 70_000_000 },
        deletable: true,
        owner: { kind: 'address', address: owner },
        attributes: { 'content-type': 'image/png', x: 'y' },
      });
    });

    it('a Blob without a metadata field has no attributes; a SharedBlob is found by its own ID', async () => {
      const { fake, chain } = clientOn();
      const sharedId = normalizeSuiObjectId('0x5ba4ed');
      // `SharedBlob { id, blob, funds: Balance<WAL> }`; the SDK has no generated type for it.
      const content = new Uint8Array([...bcs.Address.serialize(sharedId).toBytes(), ...blobBytes(blob), ...bcs.u64().serialize(5n).toBytes()]);
      fake.addObject({ objectId: sharedId, type: `${WALRUS_ORIGINAL_ID}::shared_blob::SharedBlob`, owner: { $kind: 'Shared', Shared: { initialSharedVersion: '12' } }, content });
      const found = await chain.getBlobObject(sharedId);
      assert.equal(found?.id, blob.id);
      assert.deepEqual(found?.owner, { kind: 'shared', sharedObjectId: sharedId });
      assert.deepEqual(found?.attributes, {});
    });

    it('no object, or an object that is not a Walrus Blob, is null', async () => {
      const { fake, chain } = clientOn();
      assert.equal(await chain.getBlobObject(normalizeSuiObjectId('0xdead')), null);
      fake.addObject({ objectId: '0xf00', type: `${normalizeSuiObjectId('0xbad')}::blob::Blob`, owner: { $kind: 'AddressOwner', AddressOwner: owner }, content: blobBytes(blob) });
      assert.equal(await chain.getBlobObject('0xf00'), null, 'same name, another package');
      fake.addObject({ objectId: '0xf01', type: `${WALRUS_ORIGINAL_ID}::storage_resource::Storage`, owner: { $kind: 'AddressOwner', AddressOwner: owner }, content: new Uint8Array(48) });
      assert.equal(await chain.getBlobObject('0xf01'), null, 'a Walrus object that is not a Blob');
    });

    it('owned Blobs, optionally only those of one blob ID', async () => {
      const { fake, chain } = clientOn();
      const other = { ...blob, id: normalizeSuiObjectId('0xb10c'), blobId: 99n };
      for (const b of [blob, other]) fake.addObject({ objectId: b.id, type: blobType, owner: { $kind: 'AddressOwner', AddressOwner: owner }, content: blobBytes(b) });
      assert.deepEqual((await chain.getOwnedBlobObjects(owner)).map((b) => b.id).sort(), [blob.id, other.id].sort());
      const filtered = await chain.getOwnedBlobObjects(owner, { blobId: blobIdToString(blobIdFromU256(99n)) });
      assert.deepEqual(filtered.map((b) => b.id), [other.id]);
    });
  });
});
