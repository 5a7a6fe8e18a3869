import type { NetworkDescription } from '../network-description.ts';
import { type BlobStatusJson, type EventIdJson, eventIdJson } from './blob-status.ts';
import type { ExecutedTransaction, LedgerView } from './ledger-state.ts';
import type { BlobRecord, LedgerEvent, Owner, OwnedStorageRecord, StorageRecord, TransactionEffects, TransactionKind } from './model.ts';

/** The JSON the ledger answers with. Amounts are FROST as decimal strings; IDs are `0x` hex. */

/** `GET /v1/network`: the network description plus the system parameters a publisher prices with. */
export interface NetworkJson extends NetworkDescription {
  readonly epochStartedAtMs: number;
  /** 0 when epochs advance only by hand. */
  readonly epochDurationMs: number;
  readonly storagePricePerUnitSize: string;
  readonly writePricePerUnitSize: string;
  readonly maxEpochsAhead: number;
}

export type StorageJson = StorageRecord;

export interface OwnedStorageJson extends StorageRecord {
  readonly owner: string;
}

/** The reference's `blobObject` JSON plus the owner and attributes. */
export interface BlobObjectJson {
  readonly id: string;
  readonly registeredEpoch: number;
  readonly blobId: string;
  readonly size: number;
  readonly encodingType: 'RS2';
  readonly certifiedEpoch: number | null;
  readonly storage: StorageJson;
  readonly deletable: boolean;
  readonly owner: Owner;
  readonly attributes: Readonly<Record<string, string>>;
}

type WithoutRef<E> = E extends LedgerEvent ? Omit<E, 'ref'> & { readonly id: EventIdJson } : never;
/** A Move event (`BlobRegistered`, `BlobCertified`, `BlobDeleted`) with its Sui event ID. */
export type EventJson = WithoutRef<LedgerEvent>;

export interface TransactionResponseJson {
  readonly digest: string;
  readonly kind: TransactionKind;
  readonly sender: string;
  readonly balanceChanges: readonly { readonly address: string; readonly amount: string }[];
  readonly charges: { readonly storage: string; readonly write: string };
  readonly created: readonly string[];
  readonly mutated: readonly string[];
  readonly deleted: readonly string[];
  readonly events: readonly EventJson[];
  /** The blob the transaction created or changed, as it was right after it. */
  readonly blobObject: BlobObjectJson | null;
  /** The storage resource a deletion freed. */
  readonly storage: OwnedStorageJson | null;
  readonly sharedBlobObjectId: string | null;
}

/** A live Blob object with a given blob ID, as storage nodes need it to answer for that ID. */
export interface RegistrationJson {
  readonly objectId: string;
  readonly deletable: boolean;
  readonly registeredEpoch: number;
  readonly certifiedEpoch: number | null;
  readonly endEpoch: number;
}

/** `GET /v1/blob-ids/{blobId}`. */
export interface BlobIdStatusResponseJson {
  readonly blobId: string;
  readonly status: BlobStatusJson;
  readonly registrations: readonly RegistrationJson[];
}

/** `GET /v1/transactions/{digest}`: an executed transaction as a tip check reads it. Amounts are FROST of WAL. */
export interface TransactionLookupJson {
  readonly digest: string;
  readonly kind: TransactionKind;
  readonly sender: string;
  /** `null` for transactions executed before the ledger kept execution times. */
  readonly timestampMs: number | null;
  /** base64 of each pure input, in order. */
  readonly pureInputs: readonly string[];
  readonly balanceChanges: readonly { readonly address: string; readonly amount: string }[];
}

export interface BalanceJson {
  readonly address: string;
  readonly balance: string;
}

export interface OwnedBlobsJson {
  readonly address: string;
  readonly blobObjects: readonly BlobObjectJson[];
}

export interface FaucetResponseJson {
  readonly address: string;
  readonly amount: string;
  readonly balance: string;
}

export interface EpochJson {
  readonly epoch: number;
  readonly startedAtMs: number;
}

export function networkJson(state: LedgerView, ledgerUrl: string, epochDurationMs: number): NetworkJson {
  return {
    ledgerUrl,
    nShards: state.nShards,
    epoch: state.epoch,
    nodes: state.committee.map(({ nodeId, name, url, blsPublicKey, networkPublicKey, shards }) => ({ nodeId, name, url, blsPublicKey, ...(networkPublicKey !== undefined ? { networkPublicKey } : {}), shards })),
    epochStartedAtMs: state.epochStartedAtMs,
    epochDurationMs,
    storagePricePerUnitSize: String(state.storagePricePerUnitSize),
    writePricePerUnitSize: String(state.writePricePerUnitSize),
    maxEpochsAhead: state.maxEpochsAhead,
  };
}

export function blobObjectJson(blob: BlobRecord): BlobObjectJson {
  return {
    id: blob.id,
    registeredEpoch: blob.registeredEpoch,
    blobId: blob.blobId,
    size: blob.size,
    // Only RS2 blobs can be registered (rules.ts), so every blob is RS2.
    encodingType: 'RS2',
    certifiedEpoch: blob.certifiedEpoch,
    storage: { id: blob.storage.id, startEpoch: blob.storage.startEpoch, endEpoch: blob.storage.endEpoch, storageSize: blob.storage.storageSize },
    deletable: blob.deletable,
    owner: blob.owner,
    attributes: blob.attributes,
  };
}

export function eventJson(event: LedgerEvent): EventJson {
  const { ref, ...fields } = event;
  return { ...fields, id: eventIdJson(ref) } as EventJson;
}

export function registrationJson(blob: BlobRecord): RegistrationJson {
  return {
    objectId: blob.id,
    deletable: blob.deletable,
    registeredEpoch: blob.registeredEpoch,
    certifiedEpoch: blob.certifiedEpoch,
    endEpoch: blob.storage.endEpoch,
  };
}

export function transactionLookupJson(executed: ExecutedTransaction): TransactionLookupJson {
  return {
    digest: executed.digest,
    kind: executed.kind,
    sender: executed.sender,
    timestampMs: executed.executedAtMs,
    pureInputs: executed.pureInputs,
    balanceChanges: executed.balanceChanges.map(({ address, delta }) => ({ address, amount: String(delta) })),
  };
}

export function transactionResponseJson(effects: TransactionEffects): TransactionResponseJson {
  const blob = effects.writtenBlobs[0];
  const storage: OwnedStorageRecord | undefined = effects.writtenStorage[0];
  return {
    digest: effects.digest,
    kind: effects.kind,
    sender: effects.sender,
    balanceChanges: effects.balanceChanges.map(({ address, delta }) => ({ address, amount: String(delta) })),
    charges: { storage: String(effects.charges.storage), write: String(effects.charges.write) },
    created: effects.created,
    mutated: effects.mutated,
    deleted: effects.deleted,
    events: effects.events.map(eventJson),
    blobObject: blob ? blobObjectJson(blob) : null,
    storage: storage ? { ...storage } : null,
    sharedBlobObjectId: effects.sharedBlobObjectId,
  };
}
