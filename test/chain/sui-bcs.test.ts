import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import { blobIdFromU256, blobIdToString, blobIdToU256 } from '../../src/codec/blob-id.ts';
import { Blob, BlobMetadata, SharedBlob, StakingInnerV1, StakingPool, SystemStateInnerV1, VersionedObject } from '../../src/chain/sui-bcs.ts';
import { readCommitteeFor } from '../../src/chain/chain-client.ts';
import { committeeNodeIds, systemStateFromMove } from '../../src/chain/sui-committee.ts';
import { blobObjectFromMove } from '../../src/chain/sui-objects.ts';
import { sdk, walrusStateFixture } from './sui-fixtures.ts';

/**
 * Our BCS layouts against the official SDK's: objects encoded with `@mysten/walrus`'s generated
 * types decode, with our types, into the gateway's committee / price / blob model, field by field.
 * What this proves: layouts and the model mapping agree with the SDK's view of the Move structs.
 * What it does not: that a live network's objects still have these layouts.
 */
function decodeState(epochState: 'EpochChangeSync' | 'EpochChangeDone') {
  const fixture = walrusStateFixture({ epochState });
  const systemInner = SystemStateInnerV1.parse(fixture.systemInnerBytes);
  const stakingInner = StakingInnerV1.parse(fixture.stakingInnerBytes);
  const pools = new Map(committeeNodeIds(stakingInner).map((id) => [id, StakingPool.parse(fixture.poolBytes.get(id)!)]));
  return { fixture, state: systemStateFromMove({ systemInner, stakingInner, pools }) };
}

describe('Sui BCS decoding of Walrus objects (oracle: @mysten/walrus BCS types)', () => {
  it('System / Staking objects: version and package IDs', () => {
    const id = normalizeSuiObjectId('0x12');
    const pkg = normalizeSuiObjectId('0x34');
    const bytes = sdk.Staking.serialize({ id, version: 2n, package_id: pkg, new_package_id: null }).toBytes();
    const parsed = VersionedObject.parse(bytes);
    assert.equal(parsed.id, id);
    assert.equal(parsed.version, '2');
    assert.equal(parsed.package_id, pkg);
    assert.equal(parsed.new_package_id, null);
  });

  it('system + staking state → epoch, prices, limits', () => {
    const { fixture, state } = decodeState('EpochChangeDone');
    assert.equal(state.epoch.epoch, fixture.epoch);
    assert.equal(state.epoch.durationMs, 86_400_000);
    assert.equal(state.epoch.startedAtMs, 1_700_000_000_000 + (fixture.epoch - 1) * 86_400_000);
    assert.deepEqual(state.prices, { storagePricePerUnitSize: 11_000n, writePricePerUnitSize: 20_000n });
    assert.equal(state.maxEpochsAhead, 53);
    assert.equal(state.epochState, 'EpochChangeDone');
  });

  it('committee: BLS order, weights, compressed keys, names, URLs, TLS keys, shards', () => {
    const { fixture, state } = decodeState('EpochChangeDone');
    const { committee } = state;
    assert.equal(committee.epoch, fixture.epoch);
    assert.equal(committee.nShards, fixture.nShards);
    assert.equal(committee.members.length, fixture.nodes.length);
    fixture.nodes.forEach((node, i) => {
      const member = committee.members[i];
      assert.equal(member.index, i);
      assert.equal(member.nodeId, node.nodeId);
      assert.equal(member.name, node.name);
      assert.equal(member.url, `https://${node.networkAddress}`);
      assert.deepEqual(member.blsPublicKey, node.blsPublicKey, 'the 96-byte UncompressedG1 key is compressed to 48 bytes');
      assert.deepEqual(member.networkPublicKey, node.networkPublicKey);
      assert.deepEqual(member.shards, node.shards);
      assert.equal(member.weight, node.shards.length);
      for (const shard of node.shards) assert.equal(committee.memberByShard[shard], member);
    });
  });

  it('previous committee is read during epoch change for blobs certified before the current epoch', () => {
    const { fixture, state } = decodeState('EpochChangeSync');
    assert.equal(state.epochState, 'EpochChangeSync');
    assert.equal(state.previousCommitteeForReads, state.previousCommittee);
    const previous = readCommitteeFor(state, fixture.epoch - 2);
    assert.equal(previous.epoch, fixture.epoch - 1);
    assert.deepEqual(previous.members.map((member) => member.shards), fixture.nodes.map((node) => node.previousShards));
    assert.deepEqual(previous.members[0].blsPublicKey, fixture.nodes[0].blsPublicKey);
    assert.equal(readCommitteeFor(state, fixture.epoch), state.committee, 'certified this epoch: current committee');
    assert.equal(readCommitteeFor(state, null), state.committee, 'unknown certification: current committee');
    const done = decodeState('EpochChangeDone').state;
    assert.equal(done.previousCommitteeForReads, undefined);
    assert.equal(readCommitteeFor(done, fixture.epoch - 2), done.committee, 'no epoch change: current committee');
  });

  it('Blob object → BlobObject, with attributes from its Metadata field', () => {
    const blobIdBytes = randomBytes(32);
    const id = normalizeSuiObjectId(`0x${randomBytes(32).toString('hex')}`);
    const storageId = normalizeSuiObjectId(`0x${randomBytes(32).toString('hex')}`);
    const owner = normalizeSuiObjectId('0xabc');
    const value = {
      id,
      registered_epoch: 5,
      blob_id: blobIdToU256(blobIdBytes),
      size: 123_456n,
      encoding_type: 1,
      certified_epoch: 6,
      storage: { id: storageId, start_epoch: 5, end_epoch: 10, storage_size: 70_000_000n },
      deletable: true,
    };
    const blobBytes = sdk.Blob.serialize(value).toBytes();
    const metadataBytes = sdk.Metadata.serialize({ metadata: { contents: [{ key: 'content-type', value: 'text/plain' }, { key: 'k', value: 'v' }] } }).toBytes();
    const decoded = blobObjectFromMove(Blob.parse(blobBytes), { kind: 'address', address: owner }, BlobMetadata.parse(metadataBytes));
    assert.deepEqual(decoded, {
      id,
      registeredEpoch: 5,
      blobId: blobIdToString(blobIdBytes),
      size: 123_456,
      encodingType: 'RS2',
      certifiedEpoch: 6,
      storage: { id: storageId, startEpoch: 5, endEpoch: 10, storageSize: 70_000_000 },
      deletable: true,
      owner: { kind: 'address', address: owner },
      attributes: { 'content-type': 'text/plain', k: 'v' },
    });
    assert.deepEqual(blobIdFromU256(BigInt(Blob.parse(blobBytes).blob_id)), new Uint8Array(blobIdBytes));

    const uncertified = blobObjectFromMove(Blob.parse(sdk.Blob.serialize({ ...value, certified_epoch: null }).toBytes()), { kind: 'address', address: owner }, null);
    assert.equal(uncertified.certifiedEpoch, null);
    assert.deepEqual(uncertified.attributes, {});
  });

  it('SharedBlob: the wrapped Blob is read after the wrapper ID (trailing funds ignored)', () => {
    const sharedId = normalizeSuiObjectId('0x5151');
    const blobBytes = sdk.Blob.serialize({
      id: normalizeSuiObjectId('0x77'),
      registered_epoch: 1,
      blob_id: 9n,
      size: 1n,
      encoding_type: 1,
      certified_epoch: 2,
      storage: { id: normalizeSuiObjectId('0x78'), start_epoch: 1, end_epoch: 3, storage_size: 10n },
      deletable: false,
    }).toBytes();
    const funds = new Uint8Array(8);
    const bytes = new Uint8Array([...Buffer.from(sharedId.slice(2), 'hex'), ...blobBytes, ...funds]);
    const parsed = SharedBlob.parse(bytes);
    assert.equal(parsed.id, sharedId);
    const decoded = blobObjectFromMove(parsed.blob, { kind: 'shared', sharedObjectId: sharedId }, null);
    assert.equal(decoded.id, normalizeSuiObjectId('0x77'));
    assert.deepEqual(decoded.owner, { kind: 'shared', sharedObjectId: sharedId });
  });
});
