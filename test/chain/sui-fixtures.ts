import { randomBytes } from 'node:crypto';
import { bcs, TypeTagSerializer } from '@mysten/sui/bcs';
import type { SuiClientTypes } from '@mysten/sui/client';
import { deriveDynamicFieldID, normalizeSuiObjectId } from '@mysten/sui/utils';
import { generateBlsKeyPair, uncompressedPublicKey } from '../../src/crypto/bls.ts';
import type { FakeObject, FakeSuiClient } from './fake-sui-client.ts';

/**
 * Walrus Move objects encoded with the official SDK's generated BCS types (`@mysten/walrus`
 * `dist/contracts/walrus/*.mjs`), so our hand-written decoders are checked against an independent
 * definition. Deep file-URL imports for the reason given in `test/fixtures/walrus-sdk.ts`.
 */
const sdkEntry = import.meta.resolve('@mysten/walrus');
const load = async (path: string) => (await import(new URL(path, sdkEntry).href)) as Record<string, SdkBcs>;

interface SdkBcs {
  serialize(value: unknown): { toBytes(): Uint8Array };
  parse(bytes: Uint8Array): unknown;
}

export const sdk = {
  System: (await load('./contracts/walrus/system.mjs')).System,
  SystemStateInnerV1: (await load('./contracts/walrus/system_state_inner.mjs')).SystemStateInnerV1,
  StakingInnerV1: (await load('./contracts/walrus/staking_inner.mjs')).StakingInnerV1,
  StakingPool: (await load('./contracts/walrus/staking_pool.mjs')).StakingPool,
  Staking: (await load('./contracts/walrus/staking.mjs')).Staking,
  Blob: (await load('./contracts/walrus/blob.mjs')).Blob,
  Metadata: (await load('./contracts/walrus/metadata.mjs')).Metadata,
};

/** Generated Move bindings (`system.mjs`, `blob.mjs`): their functions' argument types are the oracle. */
export const sdkSystemModuleSource = new URL('./contracts/walrus/system.mjs', sdkEntry);
export const sdkBlobModuleSource = new URL('./contracts/walrus/blob.mjs', sdkEntry);

export interface FixtureNode {
  readonly nodeId: string;
  readonly name: string;
  readonly networkAddress: string;
  readonly blsPublicKey: Uint8Array;
  readonly networkPublicKey: Uint8Array;
  readonly shards: number[];
  readonly previousShards: number[];
}

export interface WalrusStateFixture {
  readonly nodes: FixtureNode[];
  readonly nShards: number;
  readonly epoch: number;
  readonly systemInnerBytes: Uint8Array;
  readonly stakingInnerBytes: Uint8Array;
  readonly poolBytes: Map<string, Uint8Array>;
}

const addressOf = (i: number) => normalizeSuiObjectId(`0x${(0xa0 + i).toString(16)}${'0'.repeat(10)}${i}`);

export function walrusStateFixture(options: { epochState: 'EpochChangeSync' | 'EpochChangeDone'; epoch?: number }): WalrusStateFixture {
  const nShards = 10;
  const epoch = options.epoch ?? 7;
  // Four nodes with uneven shard counts; node IDs are sorted, as the VecMap keeps them.
  const current = [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]];
  const previous = [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]];
  const nodes: FixtureNode[] = current.map((shards, i) => ({
    nodeId: addressOf(i),
    name: `node-${i}`,
    networkAddress: `node${i}.example.org:9185`,
    blsPublicKey: generateBlsKeyPair().publicKey,
    networkPublicKey: new Uint8Array([0x02, ...randomBytes(32)]),
    shards,
    previousShards: previous[i],
  }));
  const systemInnerBytes = sdk.SystemStateInnerV1.serialize({
    committee: {
      members: nodes.map((node) => ({ public_key: { bytes: uncompressedPublicKey(node.blsPublicKey) }, weight: node.shards.length, node_id: node.nodeId })),
      n_shards: nShards,
      epoch,
      total_aggregated_key: { bytes: new Uint8Array(96) },
    },
    total_capacity_size: 1n << 40n,
    used_capacity_size: 12345n,
    storage_price_per_unit_size: 11_000n,
    write_price_per_unit_size: 20_000n,
    future_accounting: { current_index: 3, length: 53, ring_buffer: [{ epoch, used_capacity: 1n, rewards_to_distribute: { value: 2n } }] },
    event_blob_certification_state: { latest_certified_blob: null, aggregate_weight_per_blob: { contents: [] } },
    deny_list_sizes: { id: addressOf(90) },
  }).toBytes();
  const committee = (key: 'shards' | 'previousShards') => [{ contents: nodes.map((node) => ({ key: node.nodeId, value: node[key] })) }];
  const stakingInnerBytes = sdk.StakingInnerV1.serialize({
    n_shards: nShards,
    epoch_duration: 86_400_000n,
    first_epoch_start: 1_700_000_000_000n,
    pools: { id: addressOf(91), size: 4n },
    epoch,
    active_set: { id: addressOf(92) },
    next_committee: null,
    committee: committee('shards'),
    previous_committee: committee('previousShards'),
    next_epoch_params: null,
    epoch_state: options.epochState === 'EpochChangeSync' ? { EpochChangeSync: 3 } : { EpochChangeDone: 1_700_000_100_000n },
    next_epoch_public_keys: { id: addressOf(93) },
  }).toBytes();
  const emptyPending = [{ contents: [] }];
  const poolBytes = new Map(
    nodes.map((node) => [
      node.nodeId,
      sdk.StakingPool.serialize({
        id: node.nodeId,
        state: { Active: true },
        voting_params: { storage_price: 1n, write_price: 2n, node_capacity: 3n },
        node_info: {
          name: node.name,
          node_id: node.nodeId,
          network_address: node.networkAddress,
          public_key: { bytes: node.blsPublicKey },
          next_epoch_public_key: null,
          network_public_key: node.networkPublicKey,
          metadata: { id: addressOf(94) },
        },
        activation_epoch: 1,
        latest_epoch: epoch,
        wal_balance: 10n,
        num_shares: 10n,
        pending_shares_withdraw: emptyPending,
        pre_active_withdrawals: emptyPending,
        pending_commission_rate: emptyPending,
        commission_rate: 100,
        exchange_rates: { id: addressOf(95), size: 0n },
        pending_stake: emptyPending,
        rewards_pool: { value: 0n },
        commission: { value: 0n },
        commission_receiver: { Address: node.nodeId },
        governance_authorized: { ObjectID: node.nodeId },
        extra_fields: { id: addressOf(96), size: 0n },
      }).toBytes(),
    ]),
  );
  return { nodes, nShards, epoch, systemInnerBytes, stakingInnerBytes, poolBytes };
}

/** Where the fake chain keeps Walrus: the original package (type addresses), its upgrade (call target), WAL. */
export const WALRUS_ORIGINAL_ID = normalizeSuiObjectId('0xa1');
export const WALRUS_PACKAGE_ID = normalizeSuiObjectId('0xa2');
export const WAL_COIN_TYPE = `${normalizeSuiObjectId('0xa3')}::wal::WAL`;
export const SYSTEM_OBJECT_ID = normalizeSuiObjectId('0x5e');
export const STAKING_OBJECT_ID = normalizeSuiObjectId('0x5f');
export const SYSTEM_INITIAL_SHARED_VERSION = '5';
/** The `version` of System and Staking: the key of their inner-state dynamic fields. */
const STATE_VERSION = 2n;

/** Adds a `0x2::dynamic_field::Field<K, V>` object: its ID derived as Sui does, its contents `id ‖ name ‖ value`. */
export function addDynamicField(fake: FakeSuiClient, parentId: string, name: { type: string; bcs: Uint8Array }, valueType: string, value: () => Uint8Array): FakeObject {
  const fieldId = deriveDynamicFieldID(parentId, TypeTagSerializer.parseFromStr(name.type), name.bcs);
  const idBytes = bcs.Address.serialize(fieldId).toBytes();
  return fake.addObject({
    objectId: fieldId,
    type: `0x2::dynamic_field::Field<${name.type}, ${valueType}>`,
    owner: { $kind: 'ObjectOwner', ObjectOwner: parentId },
    content: () => new Uint8Array([...idBytes, ...name.bcs, ...value()]),
  });
}

const datatype = (typeName: string, typeParameters: SuiClientTypes.OpenSignatureBody[] = []): SuiClientTypes.OpenSignatureBody => ({ $kind: 'datatype', datatype: { typeName, typeParameters } });
const byValue = (body: SuiClientTypes.OpenSignatureBody): SuiClientTypes.OpenSignature => ({ reference: null, body });
const mutable = (body: SuiClientTypes.OpenSignatureBody): SuiClientTypes.OpenSignature => ({ reference: 'mutable', body });
const immutable = (body: SuiClientTypes.OpenSignatureBody): SuiClientTypes.OpenSignature => ({ reference: 'immutable', body });
const primitive = (kind: 'u8' | 'u32' | 'u64' | 'u256' | 'bool'): SuiClientTypes.OpenSignature => byValue({ $kind: kind });
const bytes = byValue({ $kind: 'vector', vector: { $kind: 'u8' } });

/**
 * The Move signatures the publisher calls, as a full node reports them (docs/protocol.md §5.3;
 * `W:contracts/walrus/sources/system.move`, `blob.move`, `shared_blob.move`). They decide how the
 * SDK resolves object inputs (a shared System passed `&System` is not mutable) and are checked
 * against the argument count of every call.
 */
function installMoveFunctions(fake: FakeSuiClient): void {
  const type = (module: string, name: string) => datatype(`${WALRUS_ORIGINAL_ID}::${module}::${name}`);
  const system = type('system', 'System');
  const blob = type('blob', 'Blob');
  const walCoin = datatype('0x2::coin::Coin', [datatype(WAL_COIN_TYPE)]);
  const txContext = mutable(datatype('0x2::tx_context::TxContext'));
  const string = byValue(datatype('0x1::string::String'));
  const functions: [string, string, SuiClientTypes.OpenSignature[]][] = [
    ['system', 'reserve_space', [mutable(system), primitive('u64'), primitive('u32'), mutable(walCoin), txContext]],
    ['system', 'register_blob', [mutable(system), byValue(type('storage_resource', 'Storage')), primitive('u256'), primitive('u256'), primitive('u64'), primitive('u8'), primitive('bool'), mutable(walCoin), txContext]],
    ['system', 'certify_blob', [immutable(system), mutable(blob), bytes, bytes, bytes]],
    ['system', 'extend_blob', [mutable(system), mutable(blob), primitive('u32'), mutable(walCoin)]],
    ['system', 'delete_blob', [immutable(system), byValue(blob)]],
    ['metadata', 'new', []],
    ['blob', 'add_metadata', [mutable(blob), byValue(type('metadata', 'Metadata'))]],
    ['blob', 'insert_or_update_metadata_pair', [mutable(blob), string, string]],
    ['shared_blob', 'new', [byValue(blob), txContext]],
  ];
  for (const [module, name, parameters] of functions) fake.addFunction(WALRUS_PACKAGE_ID, module, name, parameters);
  // The SDK finds WAL's type here; it lives in the original package.
  fake.addFunction(WALRUS_ORIGINAL_ID, 'staking', 'stake_with_pool', [mutable(type('staking', 'Staking')), byValue(walCoin), byValue(datatype('0x2::object::ID')), txContext]);
}

export interface WalrusOnFakeChainOptions {
  /** Replaces the inner states' bytes per read, e.g. to show an epoch change between two reads. */
  readonly systemInner?: () => Uint8Array;
  readonly stakingInner?: () => Uint8Array;
}

/** Puts the System and Staking objects, their inner states, the staking pools and the Move signatures on the fake chain. */
export function installWalrus(fake: FakeSuiClient, fixture: WalrusStateFixture, options: WalrusOnFakeChainOptions = {}): void {
  const versioned = (id: string) => sdk.System.serialize({ id, version: STATE_VERSION, package_id: WALRUS_PACKAGE_ID, new_package_id: null }).toBytes();
  const shared = { $kind: 'Shared', Shared: { initialSharedVersion: SYSTEM_INITIAL_SHARED_VERSION } } as const;
  fake.addObject({ objectId: SYSTEM_OBJECT_ID, type: `${WALRUS_ORIGINAL_ID}::system::System`, owner: shared, content: versioned(SYSTEM_OBJECT_ID) });
  fake.addObject({ objectId: STAKING_OBJECT_ID, type: `${WALRUS_ORIGINAL_ID}::staking::Staking`, owner: shared, content: versioned(STAKING_OBJECT_ID) });
  const key = { type: 'u64', bcs: bcs.u64().serialize(STATE_VERSION).toBytes() };
  addDynamicField(fake, SYSTEM_OBJECT_ID, key, `${WALRUS_ORIGINAL_ID}::system_state_inner::SystemStateInnerV1`, options.systemInner ?? (() => fixture.systemInnerBytes));
  addDynamicField(fake, STAKING_OBJECT_ID, key, `${WALRUS_ORIGINAL_ID}::staking_inner::StakingInnerV1`, options.stakingInner ?? (() => fixture.stakingInnerBytes));
  for (const [nodeId, content] of fixture.poolBytes) {
    fake.addObject({ objectId: nodeId, type: `${WALRUS_ORIGINAL_ID}::staking_pool::StakingPool`, owner: { $kind: 'Shared', Shared: { initialSharedVersion: '9' } }, content });
  }
  installMoveFunctions(fake);
}

export interface BlobFixture {
  readonly id: string;
  readonly blobId: bigint;
  readonly size: bigint;
  readonly registeredEpoch: number;
  readonly certifiedEpoch: number | null;
  readonly deletable: boolean;
  readonly storage: { readonly id: string; readonly startEpoch: number; readonly endEpoch: number; readonly size: bigint };
}

/** A Move `Blob`, encoded with the SDK's type. */
export function blobBytes(blob: BlobFixture): Uint8Array {
  return sdk.Blob.serialize({
    id: blob.id,
    registered_epoch: blob.registeredEpoch,
    blob_id: blob.blobId,
    size: blob.size,
    encoding_type: 1,
    certified_epoch: blob.certifiedEpoch,
    storage: { id: blob.storage.id, start_epoch: blob.storage.startEpoch, end_epoch: blob.storage.endEpoch, storage_size: blob.storage.size },
    deletable: blob.deletable,
  }).toBytes();
}

/** The Blob's `b"metadata"` dynamic field holding `attributes` (SDK `Metadata` type). */
export function addBlobAttributes(fake: FakeSuiClient, blobObjectId: string, attributes: Record<string, string>): void {
  const name = { type: 'vector<u8>', bcs: bcs.vector(bcs.u8()).serialize(new TextEncoder().encode('metadata')).toBytes() };
  const value = sdk.Metadata.serialize({ metadata: { contents: Object.entries(attributes).map(([key, v]) => ({ key, value: v })) } }).toBytes();
  addDynamicField(fake, blobObjectId, name, `${WALRUS_ORIGINAL_ID}::metadata::Metadata`, () => value);
}
