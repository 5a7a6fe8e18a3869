import { randomBytes } from 'node:crypto';
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import { generateBlsKeyPair, uncompressedPublicKey } from '../../src/crypto/bls.ts';

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
