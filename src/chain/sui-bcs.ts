import { bcs, type BcsType } from '@mysten/sui/bcs';

/**
 * BCS layouts of the Walrus Move structs the Sui chain client reads (docs/protocol.md §5.1,
 * §5.3), written against `@mysten/sui`'s `bcs` so that nothing of `@mysten/walrus` is needed at
 * run time. Field order is the Move declaration order; the tests encode values with the official
 * SDK's generated types and decode them with these, field by field.
 *
 * Move tuple structs with one field (`Committee(VecMap)`, `PendingValues(VecMap)`) have the BCS of
 * that field, so they are declared as the field's type.
 */

function vecMap<K, V, KInput, VInput>(name: string, key: BcsType<K, KInput>, value: BcsType<V, VInput>) {
  return bcs.struct(`VecMap<${name}>`, {
    contents: bcs.vector(bcs.struct(`Entry<${name}>`, { key, value })),
  });
}

const Element = bcs.struct('Element', { bytes: bcs.vector(bcs.u8()) });
const Balance = bcs.struct('Balance', { value: bcs.u64() });
/** `ExtendedField`, `ObjectTable`, `Table`, `Bag`: a UID (and a size) whose contents live in dynamic fields. */
const ExtendedField = bcs.struct('ExtendedField', { id: bcs.Address });
const TableRef = bcs.struct('Table', { id: bcs.Address, size: bcs.u64() });

/** `walrus::system::System` and `walrus::staking::Staking` share one shape: the state is a dynamic field keyed by `version`. */
export const VersionedObject = bcs.struct('VersionedObject', {
  id: bcs.Address,
  version: bcs.u64(),
  package_id: bcs.Address,
  new_package_id: bcs.option(bcs.Address),
});

export const BlsCommitteeMember = bcs.struct('BlsCommitteeMember', {
  public_key: Element,
  weight: bcs.u16(),
  node_id: bcs.Address,
});

export const BlsCommittee = bcs.struct('BlsCommittee', {
  members: bcs.vector(BlsCommitteeMember),
  n_shards: bcs.u16(),
  epoch: bcs.u32(),
  total_aggregated_key: Element,
});

const FutureAccounting = bcs.struct('FutureAccounting', {
  epoch: bcs.u32(),
  used_capacity: bcs.u64(),
  rewards_to_distribute: Balance,
});

/** Its `length` is the system's `max_epochs_ahead` (`storage_accounting.move`). */
const FutureAccountingRingBuffer = bcs.struct('FutureAccountingRingBuffer', {
  current_index: bcs.u32(),
  length: bcs.u32(),
  ring_buffer: bcs.vector(FutureAccounting),
});

const EventBlob = bcs.struct('EventBlob', { blob_id: bcs.u256(), ending_checkpoint_sequence_number: bcs.u64() });

const EventBlobCertificationState = bcs.struct('EventBlobCertificationState', {
  latest_certified_blob: bcs.option(EventBlob),
  aggregate_weight_per_blob: vecMap('EventBlob,u16', EventBlob, bcs.u16()),
});

export const SystemStateInnerV1 = bcs.struct('SystemStateInnerV1', {
  committee: BlsCommittee,
  total_capacity_size: bcs.u64(),
  used_capacity_size: bcs.u64(),
  storage_price_per_unit_size: bcs.u64(),
  write_price_per_unit_size: bcs.u64(),
  future_accounting: FutureAccountingRingBuffer,
  event_blob_certification_state: EventBlobCertificationState,
  deny_list_sizes: ExtendedField,
});

/** `committee::Committee(VecMap<ID, vector<u16>>)`: node ID → shard indices, sorted by node ID. */
export const Committee = vecMap('ID,vector<u16>', bcs.Address, bcs.vector(bcs.u16()));

const EpochParams = bcs.struct('EpochParams', {
  total_capacity_size: bcs.u64(),
  storage_price_per_unit_size: bcs.u64(),
  write_price_per_unit_size: bcs.u64(),
});

/** `staking_inner::EpochState`; `EpochChangeSync` carries the shards already synced, the others a timestamp. */
export const EpochState = bcs.enum('EpochState', {
  EpochChangeSync: bcs.u16(),
  EpochChangeDone: bcs.u64(),
  NextParamsSelected: bcs.u64(),
});

export const StakingInnerV1 = bcs.struct('StakingInnerV1', {
  n_shards: bcs.u16(),
  epoch_duration: bcs.u64(),
  first_epoch_start: bcs.u64(),
  pools: TableRef,
  epoch: bcs.u32(),
  active_set: ExtendedField,
  next_committee: bcs.option(Committee),
  committee: Committee,
  previous_committee: Committee,
  next_epoch_params: bcs.option(EpochParams),
  epoch_state: EpochState,
  next_epoch_public_keys: ExtendedField,
});

export const StorageNodeInfo = bcs.struct('StorageNodeInfo', {
  name: bcs.string(),
  node_id: bcs.Address,
  network_address: bcs.string(),
  public_key: Element,
  next_epoch_public_key: bcs.option(Element),
  /** 33-byte compressed secp256r1 key the node's TLS certificate carries. */
  network_public_key: bcs.vector(bcs.u8()),
  metadata: ExtendedField,
});

const PendingValues = vecMap('u32,u64', bcs.u32(), bcs.u64());
const Authorized = bcs.enum('Authorized', { Address: bcs.Address, ObjectID: bcs.Address });

/** `staking_pool::StakingPool`, a standalone object whose ID is the node ID. */
export const StakingPool = bcs.struct('StakingPool', {
  id: bcs.Address,
  state: bcs.enum('PoolState', { Active: null, Withdrawing: bcs.u32(), Withdrawn: null }),
  voting_params: bcs.struct('VotingParams', { storage_price: bcs.u64(), write_price: bcs.u64(), node_capacity: bcs.u64() }),
  node_info: StorageNodeInfo,
  activation_epoch: bcs.u32(),
  latest_epoch: bcs.u32(),
  wal_balance: bcs.u64(),
  num_shares: bcs.u64(),
  pending_shares_withdraw: PendingValues,
  pre_active_withdrawals: PendingValues,
  pending_commission_rate: PendingValues,
  commission_rate: bcs.u16(),
  exchange_rates: TableRef,
  pending_stake: PendingValues,
  rewards_pool: Balance,
  commission: Balance,
  commission_receiver: Authorized,
  governance_authorized: Authorized,
  extra_fields: TableRef,
});

export const Storage = bcs.struct('Storage', {
  id: bcs.Address,
  start_epoch: bcs.u32(),
  end_epoch: bcs.u32(),
  storage_size: bcs.u64(),
});

export const Blob = bcs.struct('Blob', {
  id: bcs.Address,
  registered_epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  certified_epoch: bcs.option(bcs.u32()),
  storage: Storage,
  deletable: bcs.bool(),
});

/**
 * `shared_blob::SharedBlob { id, blob, funds }`. Only `id` and `blob` are read; the BCS parser
 * ignores trailing bytes, so a `funds` balance (present in current contracts) does not matter.
 */
export const SharedBlob = bcs.struct('SharedBlob', { id: bcs.Address, blob: Blob });

/** `metadata::Metadata`, the value of a Blob's `b"metadata"` dynamic field. */
export const BlobMetadata = bcs.struct('Metadata', { metadata: vecMap('String,String', bcs.string(), bcs.string()) });

/** The dynamic-field name under which a Blob keeps its attributes (`blob.move` `METADATA_DF`). */
export const BLOB_METADATA_FIELD_NAME = new TextEncoder().encode('metadata');

export const BlobRegisteredEvent = bcs.struct('BlobRegistered', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  end_epoch: bcs.u32(),
  deletable: bcs.bool(),
  object_id: bcs.Address,
});

export const BlobCertifiedEvent = bcs.struct('BlobCertified', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  end_epoch: bcs.u32(),
  deletable: bcs.bool(),
  object_id: bcs.Address,
  is_extension: bcs.bool(),
});

export const BlobDeletedEvent = bcs.struct('BlobDeleted', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  end_epoch: bcs.u32(),
  object_id: bcs.Address,
  was_certified: bcs.bool(),
});

export type SystemStateInnerV1Value = ReturnType<typeof SystemStateInnerV1.parse>;
export type StakingInnerV1Value = ReturnType<typeof StakingInnerV1.parse>;
export type StakingPoolValue = ReturnType<typeof StakingPool.parse>;
export type BlobValue = ReturnType<typeof Blob.parse>;
