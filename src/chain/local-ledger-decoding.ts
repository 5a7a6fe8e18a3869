import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { BlobObjectJson, EventJson, NetworkJson, OwnedStorageJson, TransactionLookupJson } from '../local/ledger/wire-json.ts';
import type { BlobEvent, BlobObject, Committee, CommitteeMember, StorageResource, SystemState, TransactionDetails } from './chain-client.ts';
import { InvalidChainResponseError } from './chain-errors.ts';
import { COMPRESSED_P256_KEY_LENGTH } from './node-tls-pinning.ts';

/** Converts the local ledger's JSON (`src/local/ledger/wire-json.ts`) into the chain client's domain types. */

export function systemStateFromNetwork(network: NetworkJson): SystemState {
  const members = network.nodes.map(
    (node, index): CommitteeMember => ({
      index,
      nodeId: node.nodeId,
      name: node.name,
      url: node.url,
      blsPublicKey: new Uint8Array(Buffer.from(node.blsPublicKey, 'base64')),
      ...(node.networkPublicKey !== undefined ? { networkPublicKey: networkPublicKey(node.networkPublicKey, node.nodeId) } : {}),
      shards: [...node.shards],
      weight: node.shards.length,
    }),
  );
  const memberByShard: CommitteeMember[] = new Array(network.nShards);
  for (const member of members) for (const shard of member.shards) memberByShard[shard] = member;
  for (let shard = 0; shard < network.nShards; shard++) {
    if (!memberByShard[shard]) throw new InvalidChainResponseError(`the ledger's committee assigns shard ${shard} to no node`);
  }
  const committee: Committee = { epoch: network.epoch, nShards: network.nShards, members, memberByShard };
  return {
    epoch: { epoch: network.epoch, startedAtMs: network.epochStartedAtMs, durationMs: network.epochDurationMs },
    committee,
    prices: {
      storagePricePerUnitSize: decimal(network.storagePricePerUnitSize, 'storagePricePerUnitSize'),
      writePricePerUnitSize: decimal(network.writePricePerUnitSize, 'writePricePerUnitSize'),
    },
    maxEpochsAhead: network.maxEpochsAhead,
  };
}

/** A node's TLS key as the ledger publishes it: 33 bytes in base64, as `network_public_key` on Sui. */
function networkPublicKey(base64: unknown, nodeId: string): Uint8Array {
  const bytes = typeof base64 === 'string' ? new Uint8Array(Buffer.from(base64, 'base64')) : new Uint8Array();
  if (bytes.length !== COMPRESSED_P256_KEY_LENGTH) throw new InvalidChainResponseError(`the ledger gives node ${nodeId} a ${bytes.length}-byte network public key`);
  return bytes;
}

export function blobObjectFromJson(json: BlobObjectJson | null): BlobObject {
  if (json === null || typeof json !== 'object' || typeof json.id !== 'string' || typeof json.blobId !== 'string') {
    throw new InvalidChainResponseError('the ledger answered without the blob object');
  }
  return {
    id: json.id,
    registeredEpoch: json.registeredEpoch,
    blobId: json.blobId,
    size: json.size,
    encodingType: json.encodingType,
    certifiedEpoch: json.certifiedEpoch,
    storage: storageFromJson(json.storage),
    deletable: json.deletable,
    owner: json.owner.kind === 'address' ? { kind: 'address', address: json.owner.address } : { kind: 'shared', sharedObjectId: json.owner.sharedObjectId },
    attributes: { ...json.attributes },
  };
}

export function storageFromJson(json: OwnedStorageJson | BlobObjectJson['storage'] | null): StorageResource {
  if (json === null || typeof json !== 'object') throw new InvalidChainResponseError('the ledger answered without the storage resource');
  return { id: json.id, startEpoch: json.startEpoch, endEpoch: json.endEpoch, storageSize: json.storageSize };
}

export function blobEventFromJson(json: EventJson): BlobEvent {
  const id = { txDigest: json.id.txDigest, eventSeq: json.id.eventSeq };
  switch (json.type) {
    case 'BlobRegistered':
      return {
        type: 'blobRegistered',
        id,
        epoch: json.epoch,
        blobId: json.blobId,
        size: json.size,
        encodingType: json.encodingType,
        endEpoch: json.endEpoch,
        deletable: json.deletable,
        objectId: json.objectId,
      };
    case 'BlobCertified':
      return {
        type: 'blobCertified',
        id,
        epoch: json.epoch,
        blobId: json.blobId,
        endEpoch: json.endEpoch,
        deletable: json.deletable,
        objectId: json.objectId,
        isExtension: json.isExtension,
      };
    case 'BlobDeleted':
      return { type: 'blobDeleted', id, epoch: json.epoch, blobId: json.blobId, endEpoch: json.endEpoch, objectId: json.objectId, wasCertified: json.wasCertified };
  }
}

/**
 * A transaction lookup, checked field by field: an upload relay decides on a tip with it. The
 * ledger holds WAL only (no gas coin), so every balance change is in WAL; the ledger's
 * transactions are all "programmable" in the sense that they carry their pure inputs.
 */
export function transactionDetailsFromJson(json: TransactionLookupJson): TransactionDetails {
  const bad = (what: string) => new InvalidChainResponseError(`the ledger's transaction lookup has ${what}`);
  if (json === null || typeof json !== 'object' || typeof json.digest !== 'string') throw bad('no digest');
  const { timestampMs, pureInputs, balanceChanges } = json;
  if (timestampMs !== null && !Number.isSafeInteger(timestampMs)) throw bad('a timestamp that is not an integer');
  if (!Array.isArray(pureInputs) || !pureInputs.every((input) => typeof input === 'string')) throw bad('pure inputs that are not base64 strings');
  if (!Array.isArray(balanceChanges)) throw bad('no balance changes');
  return {
    digest: json.digest,
    timestampMs,
    succeeded: true,
    inputs: pureInputs.map((input) => ({ kind: 'pure', bytes: new Uint8Array(Buffer.from(input, 'base64')) })),
    balanceChanges: balanceChanges.map((change) => {
      if (change === null || typeof change !== 'object' || typeof change.address !== 'string') throw bad('a balance change without an address');
      return { address: normalizeSuiAddress(change.address), coin: 'WAL', amount: decimal(change.amount, 'balance change') };
    }),
  };
}

export function decimal(value: string, what: string): bigint {
  if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value)) throw new InvalidChainResponseError(`the ledger's ${what} ${JSON.stringify(value)} is not a decimal integer`);
  return BigInt(value);
}
