/**
 * The ledger's records: the Walrus system objects (docs/protocol.md §5) as plain data. Records
 * are never mutated in place; a transaction writes new versions, so a refused one changes nothing.
 */

/** `0x` + 64 lowercase hex digits. */
export type ObjectId = string;
export type Address = string;

export interface GenesisNode {
  /** Sui-style object ID; committee order is ascending node ID. */
  readonly nodeId: ObjectId;
  readonly name: string;
  readonly url: string;
  /** BLS12-381 public key, 48-byte compressed G1 point, base64. */
  readonly blsPublicKey: string;
  /** The secp256r1 key its TLS certificate carries (`network_public_key`), 33-byte compressed, base64. */
  readonly networkPublicKey?: string;
  readonly shards: readonly number[];
}

export interface Genesis {
  readonly nShards: number;
  readonly nodes: readonly GenesisNode[];
  /** FROST per unit (1 MiB of encoded length) per epoch. */
  readonly storagePricePerUnitSize: bigint;
  /** FROST per unit, paid once at registration. */
  readonly writePricePerUnitSize: bigint;
  /** Defaults to {@link DEFAULT_MAX_EPOCHS_AHEAD}. */
  readonly maxEpochsAhead?: number;
  /** 0: epochs advance only by hand. */
  readonly epochDurationMs: number;
}

/** Mainnet's and testnet's limit (docs/protocol.md §5.1). */
export const DEFAULT_MAX_EPOCHS_AHEAD = 53;
/** `MAX_MAX_EPOCHS_AHEAD` of `system_state_inner.move`. */
export const MAX_MAX_EPOCHS_AHEAD = 1000;
/** Walrus starts counting at epoch 0 at genesis; the first user epoch is 1. */
export const FIRST_EPOCH = 1;

export interface CommitteeMember {
  readonly nodeId: ObjectId;
  readonly name: string;
  readonly url: string;
  readonly blsPublicKey: string;
  /** Decoded {@link blsPublicKey}. */
  readonly blsPublicKeyBytes: Uint8Array;
  /** Base64, 33 bytes; absent for nodes serving plain HTTP. */
  readonly networkPublicKey?: string;
  readonly shards: readonly number[];
  readonly weight: number;
}

/** What a node may change across restarts: where it is reached and the key its TLS certificate carries. */
export interface NodeAddress {
  readonly nodeId: ObjectId;
  readonly name: string;
  readonly url: string;
  readonly networkPublicKey?: string;
}

/** A Sui event ID plus its position in the ledger's history (`order`), which ties are broken by. */
export interface EventRef {
  readonly txDigest: string;
  readonly eventSeq: number;
  readonly order: number;
}

export interface StorageRecord {
  readonly id: ObjectId;
  readonly startEpoch: number;
  /** Exclusive. */
  readonly endEpoch: number;
  readonly storageSize: number;
}

/** A storage resource outside any blob (returned by `delete_blob`). */
export interface OwnedStorageRecord extends StorageRecord {
  readonly owner: Address;
}

export type Owner = { readonly kind: 'address'; readonly address: Address } | { readonly kind: 'shared'; readonly sharedObjectId: ObjectId };

/** The Move `Blob`, its owner, its `metadata` attributes and the events its status derives from. */
export interface BlobRecord {
  readonly id: ObjectId;
  readonly owner: Owner;
  readonly registeredEpoch: number;
  /** Text form (base64url). */
  readonly blobId: string;
  readonly size: number;
  readonly encodingType: number;
  readonly certifiedEpoch: number | null;
  readonly storage: StorageRecord;
  readonly deletable: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly registeredEvent: EventRef;
  /** The event that set the current end epoch of the certified blob: its certification or latest extension. */
  readonly certifiedEndEvent: EventRef | null;
}

export type LedgerEvent =
  | {
      readonly type: 'BlobRegistered';
      readonly ref: EventRef;
      readonly epoch: number;
      readonly blobId: string;
      readonly size: number;
      readonly encodingType: number;
      readonly endEpoch: number;
      readonly deletable: boolean;
      readonly objectId: ObjectId;
    }
  | {
      readonly type: 'BlobCertified';
      readonly ref: EventRef;
      readonly epoch: number;
      readonly blobId: string;
      readonly endEpoch: number;
      readonly deletable: boolean;
      readonly objectId: ObjectId;
      readonly isExtension: boolean;
    }
  | {
      readonly type: 'BlobDeleted';
      readonly ref: EventRef;
      readonly epoch: number;
      readonly blobId: string;
      readonly endEpoch: number;
      readonly objectId: ObjectId;
      readonly wasCertified: boolean;
    };

export type TransactionKind = 'registerBlob' | 'certifyBlob' | 'extendBlob' | 'deleteBlob' | 'transferWal';

/** Everything one accepted transaction changed: replaying it needs no rule and no signature. */
export interface TransactionEffects {
  readonly digest: string;
  readonly kind: TransactionKind;
  readonly sender: Address;
  /** Until then the digest is remembered so a resubmission is answered, not re-executed. */
  readonly expiresAtMs: number;
  readonly balanceChanges: readonly { readonly address: Address; readonly delta: bigint }[];
  readonly charges: { readonly storage: bigint; readonly write: bigint };
  readonly created: readonly ObjectId[];
  readonly mutated: readonly ObjectId[];
  readonly deleted: readonly ObjectId[];
  /** New versions of created or mutated blobs. */
  readonly writtenBlobs: readonly BlobRecord[];
  readonly writtenStorage: readonly OwnedStorageRecord[];
  readonly events: readonly LedgerEvent[];
  /** Set when the transaction wrapped a blob into a SharedBlob. */
  readonly sharedBlobObjectId: ObjectId | null;
  /** When the ledger executed it (ms since the Unix epoch); absent in records logged before it was kept. */
  readonly executedAtMs?: number;
  /** The transaction's pure inputs, base64, in order; absent in records logged before they were kept. */
  readonly pureInputs?: readonly string[];
}

/** One entry of the durable log. */
export type LedgerRecord =
  | { readonly type: 'genesis'; readonly genesis: Genesis; readonly startedAtMs: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly startedAtMs: number }
  | { readonly type: 'faucet'; readonly address: Address; readonly amount: bigint }
  /** Storage nodes that moved (new port after a restart) keep their identity and shards. */
  | { readonly type: 'nodeAddresses'; readonly nodes: readonly NodeAddress[] }
  | { readonly type: 'transaction'; readonly effects: TransactionEffects };
