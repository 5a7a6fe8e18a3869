import { EncodingParams } from '../../codec/params.ts';
import { BLS_PUBLIC_KEY_LENGTH, uncompressedPublicKey } from '../../crypto/bls.ts';
import { isCanonicalObjectId } from './ids.ts';
import { type CommitteeMember, type Genesis, type NodeAddress, DEFAULT_MAX_EPOCHS_AHEAD, MAX_MAX_EPOCHS_AHEAD } from './model.ts';

/** Genesis parameters that cannot describe a Walrus system. */
export class InvalidGenesisError extends Error {
  constructor(detail: string) {
    super(`invalid ledger genesis: ${detail}`);
    this.name = 'InvalidGenesisError';
  }
}

/** Prices are Move u64s. */
const MAX_U64 = (1n << 64n) - 1n;

/**
 * Checks a genesis and builds its committee in BLS member order (ascending node ID), each
 * member weighted by its shard count. Every shard must belong to exactly one node.
 */
export function committeeFromGenesis(genesis: Genesis): CommitteeMember[] {
  try {
    EncodingParams.forShards(genesis.nShards);
  } catch (error) {
    throw new InvalidGenesisError((error as Error).message);
  }
  if (genesis.nodes.length === 0) throw new InvalidGenesisError('the committee has no nodes');
  for (const [name, price] of [
    ['storagePricePerUnitSize', genesis.storagePricePerUnitSize],
    ['writePricePerUnitSize', genesis.writePricePerUnitSize],
  ] as const) {
    if (typeof price !== 'bigint' || price < 0n || price > MAX_U64) throw new InvalidGenesisError(`${name} must be a u64 bigint`);
  }
  const maxEpochsAhead = genesis.maxEpochsAhead ?? DEFAULT_MAX_EPOCHS_AHEAD;
  if (!Number.isInteger(maxEpochsAhead) || maxEpochsAhead < 1 || maxEpochsAhead > MAX_MAX_EPOCHS_AHEAD) {
    throw new InvalidGenesisError(`maxEpochsAhead must be an integer from 1 to ${MAX_MAX_EPOCHS_AHEAD}`);
  }
  if (!Number.isSafeInteger(genesis.epochDurationMs) || genesis.epochDurationMs < 0) {
    throw new InvalidGenesisError('epochDurationMs must be a non-negative integer');
  }

  const shardOwner = new Map<number, string>();
  const members = genesis.nodes.map((node): CommitteeMember => {
    if (!isCanonicalObjectId(node.nodeId)) throw new InvalidGenesisError(`node ID ${JSON.stringify(node.nodeId)} is not 0x + 64 lowercase hex digits`);
    const blsPublicKeyBytes = decodeBlsPublicKey(node.blsPublicKey, node.nodeId);
    if (node.networkPublicKey !== undefined) checkNetworkPublicKey(node.networkPublicKey, node.nodeId);
    for (const shard of node.shards) {
      if (!Number.isInteger(shard) || shard < 0 || shard >= genesis.nShards) throw new InvalidGenesisError(`node ${node.nodeId} has shard ${shard} outside 0…${genesis.nShards - 1}`);
      const other = shardOwner.get(shard);
      if (other !== undefined) throw new InvalidGenesisError(`shard ${shard} is assigned to both ${other} and ${node.nodeId}`);
      shardOwner.set(shard, node.nodeId);
    }
    return {
      nodeId: node.nodeId,
      name: node.name,
      url: node.url,
      blsPublicKey: node.blsPublicKey,
      blsPublicKeyBytes,
      ...(node.networkPublicKey !== undefined ? { networkPublicKey: node.networkPublicKey } : {}),
      shards: [...node.shards].sort((a, b) => a - b),
      weight: node.shards.length,
    };
  });
  if (shardOwner.size !== genesis.nShards) throw new InvalidGenesisError(`${genesis.nShards - shardOwner.size} shards are assigned to no node`);
  members.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
  for (let i = 1; i < members.length; i++) {
    if (members[i].nodeId === members[i - 1].nodeId) throw new InvalidGenesisError(`node ID ${members[i].nodeId} appears twice`);
  }
  return members;
}

/** Compressed secp256r1 keys start with 0x02 or 0x03 (docs/protocol.md §4.1). */
const NETWORK_PUBLIC_KEY_LENGTH = 33;

function checkNetworkPublicKey(base64: string, nodeId: string): void {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== NETWORK_PUBLIC_KEY_LENGTH || bytes.toString('base64') !== base64 || (bytes[0] !== 0x02 && bytes[0] !== 0x03)) {
    throw new InvalidGenesisError(`node ${nodeId}: the network public key must be a ${NETWORK_PUBLIC_KEY_LENGTH}-byte compressed secp256r1 key in base64`);
  }
}

function decodeBlsPublicKey(base64: string, nodeId: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (bytes.length !== BLS_PUBLIC_KEY_LENGTH || Buffer.from(bytes).toString('base64') !== base64) {
    throw new InvalidGenesisError(`node ${nodeId}: the BLS public key must be ${BLS_PUBLIC_KEY_LENGTH} bytes in base64`);
  }
  try {
    uncompressedPublicKey(bytes);
  } catch (error) {
    throw new InvalidGenesisError(`node ${nodeId}: the BLS public key is not a G1 point (${(error as Error).message})`);
  }
  return bytes;
}

/**
 * A genesis given again to a ledger that already has one must describe the same system. Only
 * node names, URLs and TLS keys may change (nodes restarted on new ports, or switched between HTTP
 * and TLS, as a Sui node may rotate its network key); those are returned to update.
 */
export function nodeAddressChanges(stored: readonly CommitteeMember[], genesis: Genesis): NodeAddress[] {
  const given = committeeFromGenesis(genesis);
  const identity = (members: readonly CommitteeMember[]) => JSON.stringify(members.map((m) => [m.nodeId, m.blsPublicKey, m.shards]));
  if (identity(given) !== identity(stored)) {
    throw new InvalidGenesisError('it does not match the committee stored in the data directory (node IDs, keys or shards differ)');
  }
  return given
    .filter((member, i) => member.url !== stored[i].url || member.name !== stored[i].name || member.networkPublicKey !== stored[i].networkPublicKey)
    .map(({ nodeId, name, url, networkPublicKey }) => ({ nodeId, name, url, ...(networkPublicKey !== undefined ? { networkPublicKey } : {}) }));
}

/**
 * Names of the system parameters (prices, epoch limit) in which `genesis` differs from the stored
 * state. The epoch duration is left out: the ledger's `epochDurationMs` option governs it per run.
 */
export function changedSystemParameters(
  stored: { readonly storagePricePerUnitSize: bigint; readonly writePricePerUnitSize: bigint; readonly maxEpochsAhead: number },
  genesis: Genesis,
): string[] {
  const given = { ...genesis, maxEpochsAhead: genesis.maxEpochsAhead ?? DEFAULT_MAX_EPOCHS_AHEAD };
  return (['storagePricePerUnitSize', 'writePricePerUnitSize', 'maxEpochsAhead'] as const).filter((name) => given[name] !== stored[name]);
}
