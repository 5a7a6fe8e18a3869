import { bls12_381 } from '@noble/curves/bls12-381.js';
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import type { Committee, CommitteeMember, ObjectId, Prices, SystemState } from './chain-client.ts';
import { BLS_PUBLIC_KEY_LENGTH } from '../crypto/bls.ts';
import { InvalidChainResponseError } from './chain-errors.ts';
import { COMPRESSED_P256_KEY_LENGTH } from './node-tls-pinning.ts';
import type { StakingInnerV1Value, StakingPoolValue, SystemStateInnerV1Value } from './sui-bcs.ts';

/** Sui's `UncompressedG1` encoding of a BLS12-381 public key. */
const G1_UNCOMPRESSED_LENGTH = 96;
/** Committee keys recur at every read of the system state; compressing one costs a curve decompression. */
const COMPRESSED_KEY_CACHE_LIMIT = 4096;
const compressedKeys = new Map<string, Uint8Array>();

/** A committee member with what the Sui chain adds: the key its TLS certificate must carry. */
export interface SuiCommitteeMember extends CommitteeMember {
  readonly networkPublicKey: Uint8Array;
}

export interface SuiCommittee extends Committee {
  readonly members: readonly SuiCommitteeMember[];
  readonly memberByShard: readonly SuiCommitteeMember[];
}

/** `staking_inner::EpochState`, by name. */
export type EpochStateKind = 'EpochChangeSync' | 'EpochChangeDone' | 'NextParamsSelected';

/**
 * The system state as the Sui chain client sees it: the interface's view plus what only a real
 * network has (epoch-change state, the previous committee, the Walrus package IDs).
 */
export interface SuiSystemState extends SystemState {
  readonly committee: SuiCommittee;
  /** The committee of the previous epoch; `null` in the first epoch (it has no members). */
  readonly previousCommittee: SuiCommittee | null;
  readonly epochState: EpochStateKind;
}

export interface MoveSystemState {
  readonly systemInner: SystemStateInnerV1Value;
  readonly stakingInner: StakingInnerV1Value;
  /** Every pool named by the current or previous committee, by node ID. */
  readonly pools: ReadonlyMap<ObjectId, StakingPoolValue>;
}

/** Node IDs whose `StakingPool` objects are needed to build the current and previous committees. */
export function committeeNodeIds(stakingInner: StakingInnerV1Value): ObjectId[] {
  const ids = new Set<ObjectId>();
  for (const committee of [stakingInner.committee, stakingInner.previous_committee]) {
    for (const entry of committee.contents) ids.add(normalizeSuiObjectId(entry.key));
  }
  return [...ids];
}

/**
 * Builds the gateway's system state from the decoded Move objects (docs/protocol.md §3.2, §5.1,
 * §5.5). Member order and weights come from the `BlsCommittee` because the certificate's signers
 * bitmap indexes it; shards come from the staking `Committee`; names, URLs and TLS keys from pools.
 */
export function systemStateFromMove({ systemInner, stakingInner, pools }: MoveSystemState): SuiSystemState {
  const bls = systemInner.committee;
  const epoch = bls.epoch;
  if (stakingInner.epoch !== epoch) {
    // The two objects are read separately; an epoch change between the reads makes them disagree.
    throw new InvalidChainResponseError(`system state is at epoch ${epoch} but staking state at ${stakingInner.epoch}; read again`);
  }
  const nShards = bls.n_shards;
  const shardsByNode = shardMap(stakingInner.committee);
  const blsMembers = bls.members.map((member) => ({
    nodeId: normalizeSuiObjectId(member.node_id),
    weight: member.weight,
    blsPublicKey: compressedG1(new Uint8Array(member.public_key.bytes)),
  }));
  const committee = buildCommittee(epoch, nShards, blsMembers, shardsByNode, pools);
  const epochState = stakingInner.epoch_state.$kind as EpochStateKind;
  const previousEntries = stakingInner.previous_committee.contents;
  // The previous committee has no BLS committee on chain any more; it is only read from (§3.3),
  // so its members' keys come from their pools and its order is the VecMap's.
  const previousCommittee =
    previousEntries.length === 0
      ? null
      : buildCommittee(
          epoch - 1,
          nShards,
          previousEntries.map((entry) => {
            const nodeId = normalizeSuiObjectId(entry.key);
            return { nodeId, weight: entry.value.length, blsPublicKey: compressedG1(new Uint8Array(requirePool(pools, nodeId).node_info.public_key.bytes)) };
          }),
          shardMap(stakingInner.previous_committee),
          pools,
        );
  const epochDurationMs = Number(stakingInner.epoch_duration);
  return {
    epoch: {
      epoch,
      // Nominal: epoch 1 starts at `first_epoch_start` and each lasts `epoch_duration`; the real
      // change can run late, and the chain records no exact start time for it.
      startedAtMs: Number(stakingInner.first_epoch_start) + Math.max(epoch - 1, 0) * epochDurationMs,
      durationMs: epochDurationMs,
    },
    committee,
    previousCommittee,
    epochState,
    ...(epochState === 'EpochChangeSync' && previousCommittee !== null ? { previousCommitteeForReads: previousCommittee } : {}),
    prices: pricesFromMove(systemInner),
    // The future-accounting ring buffer has one slot per epoch that can be paid ahead.
    maxEpochsAhead: systemInner.future_accounting.length,
  };
}

interface MemberKey {
  readonly nodeId: ObjectId;
  readonly weight: number;
  readonly blsPublicKey: Uint8Array;
}

function buildCommittee(
  epoch: number,
  nShards: number,
  keys: readonly MemberKey[],
  shardsByNode: ReadonlyMap<ObjectId, readonly number[]>,
  pools: ReadonlyMap<ObjectId, StakingPoolValue>,
): SuiCommittee {
  const members: SuiCommitteeMember[] = keys.map((key, index) => {
    const info = requirePool(pools, key.nodeId).node_info;
    const networkPublicKey = new Uint8Array(info.network_public_key);
    if (networkPublicKey.length !== COMPRESSED_P256_KEY_LENGTH) {
      throw new InvalidChainResponseError(`node ${key.nodeId} has a ${networkPublicKey.length}-byte network public key`);
    }
    return {
      index,
      nodeId: key.nodeId,
      name: info.name,
      url: `https://${info.network_address}`,
      blsPublicKey: key.blsPublicKey,
      networkPublicKey,
      shards: shardsByNode.get(key.nodeId) ?? [],
      weight: key.weight,
    };
  });
  const memberByShard: SuiCommitteeMember[] = new Array(nShards);
  for (const member of members) {
    for (const shard of member.shards) {
      if (shard >= nShards || memberByShard[shard] !== undefined) {
        throw new InvalidChainResponseError(`shard ${shard} is out of range or assigned twice in epoch ${epoch}`);
      }
      memberByShard[shard] = member;
    }
  }
  for (let shard = 0; shard < nShards; shard++) {
    if (memberByShard[shard] === undefined) throw new InvalidChainResponseError(`shard ${shard} has no node in epoch ${epoch}`);
  }
  return { epoch, nShards, members, memberByShard };
}

function shardMap(committee: StakingInnerV1Value['committee']): Map<ObjectId, number[]> {
  return new Map(committee.contents.map((entry) => [normalizeSuiObjectId(entry.key), entry.value]));
}

function requirePool(pools: ReadonlyMap<ObjectId, StakingPoolValue>, nodeId: ObjectId): StakingPoolValue {
  const pool = pools.get(nodeId);
  if (pool === undefined) throw new InvalidChainResponseError(`the staking pool of committee member ${nodeId} is missing`);
  return pool;
}

export function pricesFromMove(systemInner: SystemStateInnerV1Value): Prices {
  return {
    storagePricePerUnitSize: BigInt(systemInner.storage_price_per_unit_size),
    writePricePerUnitSize: BigInt(systemInner.write_price_per_unit_size),
  };
}

/** The 48-byte compressed form the rest of the gateway uses for BLS public keys. */
export function compressedG1(bytes: Uint8Array): Uint8Array {
  if (bytes.length === BLS_PUBLIC_KEY_LENGTH) return bytes;
  if (bytes.length !== G1_UNCOMPRESSED_LENGTH) throw new InvalidChainResponseError(`a BLS public key has ${bytes.length} bytes`);
  const key = Buffer.from(bytes).toString('hex');
  let compressed = compressedKeys.get(key);
  if (compressed === undefined) {
    try {
      compressed = bls12_381.G1.Point.fromBytes(bytes).toBytes(true);
    } catch (error) {
      throw new InvalidChainResponseError('a BLS public key is not a G1 point', { cause: error });
    }
    if (compressedKeys.size >= COMPRESSED_KEY_CACHE_LIMIT) compressedKeys.delete(compressedKeys.keys().next().value!);
    compressedKeys.set(key, compressed);
  }
  return compressed;
}
