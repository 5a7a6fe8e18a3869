import type { Signer } from '@mysten/sui/cryptography';

export * from './chain-errors.ts';

/**
 * The gateway's one view of the chain: the Walrus system state, Blob objects and the calls a
 * publisher makes. `local-chain-client.ts` talks to the embedded ledger; a Sui implementation
 * serves the same interface from the Walrus Move packages. Nothing above this interface knows
 * which one it talks to.
 *
 * Conventions: amounts are FROST (1 WAL = 10⁹ FROST) as bigint; object IDs and addresses are
 * `0x` + 64 lowercase hex digits; blob IDs are their 43-character base64url text form; epochs are
 * u32 numbers. Failures are {@link ChainError}s with a stable `code`.
 */
export interface ChainClient {
  /** Epoch, committee, prices and limits, read together so they are consistent with each other. */
  getSystemState(options?: CallOptions): Promise<SystemState>;

  /** WAL balance of an address, in FROST. */
  getBalance(address: SuiAddress, options?: CallOptions): Promise<bigint>;

  /** SUI an address holds for gas, in MIST; `null` on a chain whose transactions cost no gas. */
  getGasBalance(address: SuiAddress, options?: CallOptions): Promise<bigint | null>;

  /**
   * The Blob object with this ID, or the Blob wrapped in the SharedBlob with this ID; `null` when
   * neither exists (never created, deleted). Expired blobs are still returned, as on Sui.
   */
  getBlobObject(objectId: ObjectId, options?: CallOptions): Promise<BlobObject | null>;

  /** Blob objects an address owns (expired ones included), optionally only those for one blob ID. */
  getOwnedBlobObjects(owner: SuiAddress, filter?: OwnedBlobFilter, options?: CallOptions): Promise<BlobObject[]>;

  /**
   * Reserves `encodedLength` bytes of storage for `epochs` epochs and registers the blob on it, in
   * one transaction paid by `signer`: storage units × storage price × epochs + units × write price.
   * The new Blob object is owned by the signer, so the signer can certify it; where it ends up is
   * decided at certification (`CertifyBlobRequest.postStore`).
   */
  registerBlob(signer: Signer, request: RegisterBlobRequest, options?: CallOptions): Promise<RegisterBlobResult>;

  /** Certifies a registered blob with a quorum certificate and applies its post-store action. */
  certifyBlob(signer: Signer, request: CertifyBlobRequest, options?: CallOptions): Promise<CertifyBlobResult>;

  /** Extends a certified, unexpired blob by `extendedEpochs`, paid by the signer. */
  extendBlob(signer: Signer, request: ExtendBlobRequest, options?: CallOptions): Promise<ExtendBlobResult>;

  /** Deletes a deletable, unexpired blob the signer owns; its storage resource returns to the signer. */
  deleteBlob(signer: Signer, request: DeleteBlobRequest, options?: CallOptions): Promise<DeleteBlobResult>;

  /**
   * Sends WAL and SUI for gas from the signer to another address in one transaction (the publisher
   * funding its sub-wallets). Chains without gas send only the WAL. Resolves to `null`, without a
   * transaction, when there is nothing to send.
   */
  fundWallet(signer: Signer, request: FundWalletRequest, options?: CallOptions): Promise<TransactionReceipt | null>;

  /**
   * An executed transaction by its digest, as far as a reader outside it can check it (the upload
   * relay checks tips with it): when it ran, its inputs, and whose balances it changed; `null` when
   * the chain knows no transaction with this digest.
   */
  getTransaction(digest: string, options?: CallOptions): Promise<TransactionDetails | null>;

  /** Releases connections. */
  close(): Promise<void>;
}

export type { Signer };

/** A Sui address: `0x` + 64 lowercase hex digits. */
export type SuiAddress = string;
/** A Sui object ID: `0x` + 64 lowercase hex digits. */
export type ObjectId = string;
/** A blob ID in its text form: 43 characters of unpadded base64url. */
export type BlobIdText = string;

export interface CallOptions {
  /** Cancels the call; a transaction may still execute if the chain received it before the abort. */
  readonly signal?: AbortSignal;
}

export interface SystemState {
  readonly epoch: EpochInfo;
  readonly committee: Committee;
  /**
   * While shards move to the current committee (`EpochChangeSync` on Sui), the previous committee
   * still serves the blobs certified before the current epoch (docs/protocol.md §3.3); absent
   * at other times and on chains whose epochs change at once.
   */
  readonly previousCommitteeForReads?: Committee;
  readonly prices: Prices;
  /** Storage can be bought at most this many epochs ahead of the current one. */
  readonly maxEpochsAhead: number;
}

export interface EpochInfo {
  readonly epoch: number;
  /** Wall-clock start of the epoch (ms since the Unix epoch). */
  readonly startedAtMs: number;
  /** Nominal epoch length; 0 when epochs only advance by hand. */
  readonly durationMs: number;
}

/** The storage committee of one epoch, in BLS member order (ascending node ID). */
export interface Committee {
  readonly epoch: number;
  readonly nShards: number;
  readonly members: readonly CommitteeMember[];
  /** `memberByShard[shard]` is the member holding that shard. */
  readonly memberByShard: readonly CommitteeMember[];
}

export interface CommitteeMember {
  /** Position in `members`: the signer index in certificates and signers bitmaps. */
  readonly index: number;
  readonly nodeId: ObjectId;
  readonly name: string;
  /** Base URL of the node's REST API. */
  readonly url: string;
  /** BLS12-381 min_pk public key, 48-byte compressed G1 point. */
  readonly blsPublicKey: Uint8Array;
  /**
   * The compressed secp256r1 key the node's TLS certificate carries (33 bytes); connections to an
   * `https` URL are pinned to it. Absent where the chain records none.
   */
  readonly networkPublicKey?: Uint8Array;
  readonly shards: readonly number[];
  /** Voting weight: the number of shards the member holds. */
  readonly weight: number;
}

export interface Prices {
  /** FROST per storage unit (1 MiB of encoded length) per epoch. */
  readonly storagePricePerUnitSize: bigint;
  /** FROST per storage unit, paid once at registration. */
  readonly writePricePerUnitSize: bigint;
}

/** A Storage resource: `storageSize` bytes from `startEpoch` up to (excluding) `endEpoch`. */
export interface StorageResource {
  readonly id: ObjectId;
  readonly startEpoch: number;
  readonly endEpoch: number;
  readonly storageSize: number;
}

/** The fields of the Move `Blob` object, plus where it lives and its attributes. */
export interface BlobObject {
  readonly id: ObjectId;
  readonly registeredEpoch: number;
  readonly blobId: BlobIdText;
  /** Unencoded length in bytes. */
  readonly size: number;
  readonly encodingType: 'RS2';
  readonly certifiedEpoch: number | null;
  readonly storage: StorageResource;
  readonly deletable: boolean;
  readonly owner: BlobOwner;
  /** The blob's `metadata` dynamic field (string → string); empty when it has none. */
  readonly attributes: Readonly<Record<string, string>>;
}

export type BlobOwner =
  | { readonly kind: 'address'; readonly address: SuiAddress }
  /** Wrapped in a SharedBlob: anyone may extend it, nobody may delete it. */
  | { readonly kind: 'shared'; readonly sharedObjectId: ObjectId };

export interface OwnedBlobFilter {
  readonly blobId?: BlobIdText;
}

/** A Sui event ID, as `alreadyCertified.event` and storage-node statuses show it. */
export interface EventId {
  readonly txDigest: string;
  /** u64 as a decimal string. */
  readonly eventSeq: string;
}

/** The Walrus blob events (Move `events.move`), with the blob ID in text form. */
export type BlobEvent =
  | {
      readonly type: 'blobRegistered';
      readonly id: EventId;
      readonly epoch: number;
      readonly blobId: BlobIdText;
      readonly size: number;
      readonly encodingType: number;
      readonly endEpoch: number;
      readonly deletable: boolean;
      readonly objectId: ObjectId;
    }
  | {
      readonly type: 'blobCertified';
      readonly id: EventId;
      /** The blob's first certification epoch, also on extensions. */
      readonly epoch: number;
      readonly blobId: BlobIdText;
      readonly endEpoch: number;
      readonly deletable: boolean;
      readonly objectId: ObjectId;
      readonly isExtension: boolean;
    }
  | {
      readonly type: 'blobDeleted';
      readonly id: EventId;
      readonly epoch: number;
      readonly blobId: BlobIdText;
      readonly endEpoch: number;
      readonly objectId: ObjectId;
      readonly wasCertified: boolean;
    };

export interface TransactionReceipt {
  /** Transaction digest, base58. */
  readonly digest: string;
  readonly events: readonly BlobEvent[];
}

export interface RegisterBlobRequest {
  readonly blobId: BlobIdText;
  /** Merkle root over the sliver-pair hashes, 32 bytes. */
  readonly rootHash: Uint8Array;
  /** Unencoded length in bytes. */
  readonly size: number;
  /** Bytes of storage to reserve: the blob's encoded length (`EncodingParams.encodedLength`). */
  readonly encodedLength: number;
  /** Epochs ahead of the current one, 1 … `maxEpochsAhead`. */
  readonly epochs: number;
  readonly deletable: boolean;
  /** Initial blob attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface StorageCost {
  /** Storage units × storage price × epochs. */
  readonly storage: bigint;
  /** Storage units × write price. */
  readonly write: bigint;
  readonly total: bigint;
}

export interface RegisterBlobResult extends TransactionReceipt {
  readonly blobObject: BlobObject;
  readonly cost: StorageCost;
}

/** A quorum certificate over one storage confirmation message (docs/protocol.md §4.6). */
export interface BlobCertificate {
  /** Member i signed iff bit i % 8 of byte i / 8 is set (`signersToBitmap`). */
  readonly signersBitmap: Uint8Array;
  /** Aggregated BLS signature, 96-byte compressed G2 point. */
  readonly signature: Uint8Array;
  /** The confirmation message every signer signed. */
  readonly message: Uint8Array;
}

/**
 * What happens to the Blob object once certified, in the same transaction (the reference's
 * `PostStoreAction`): it stays with the signer, goes to another address, or is wrapped in a
 * SharedBlob. Decided at certification because only the owner can certify.
 */
export type PostStoreAction =
  | { readonly kind: 'keep' }
  | { readonly kind: 'transfer'; readonly recipient: SuiAddress }
  | { readonly kind: 'share' };

export interface CertifyBlobRequest {
  readonly blobObjectId: ObjectId;
  readonly certificate: BlobCertificate;
  /** Defaults to `keep`. */
  readonly postStore?: PostStoreAction;
}

export interface CertifyBlobResult extends TransactionReceipt {
  readonly blobObject: BlobObject;
  /** The SharedBlob's ID when `postStore` was `share`. */
  readonly sharedBlobObjectId: ObjectId | null;
}

export interface ExtendBlobRequest {
  /** A Blob object ID, or a SharedBlob ID. */
  readonly blobObjectId: ObjectId;
  readonly extendedEpochs: number;
}

export interface ExtendBlobResult extends TransactionReceipt {
  readonly blobObject: BlobObject;
  /** FROST paid: storage units × storage price × extended epochs. */
  readonly cost: bigint;
}

export interface DeleteBlobRequest {
  readonly blobObjectId: ObjectId;
}

export interface DeleteBlobResult extends TransactionReceipt {
  /** The freed storage resource, now owned by the signer. */
  readonly storage: StorageResource;
}

export interface FundWalletRequest {
  readonly recipient: SuiAddress;
  /** FROST of WAL; 0 sends none. */
  readonly wal: bigint;
  /** MIST of SUI for gas; 0 sends none; ignored where {@link ChainClient.getGasBalance} is `null`. */
  readonly gas: bigint;
}

/** What {@link ChainClient.getTransaction} reports of an executed transaction. */
export interface TransactionDetails {
  /** Base58, as Sui writes digests. */
  readonly digest: string;
  /** When it was executed (on Sui: its checkpoint's time), ms since the Unix epoch; `null` when the chain does not say. */
  readonly timestampMs: number | null;
  /** False for a transaction that ran and aborted: it moved no coins but its gas. */
  readonly succeeded: boolean;
  /** The inputs of a programmable transaction, in order; `null` for any other kind of transaction. */
  readonly inputs: readonly TransactionInput[] | null;
  readonly balanceChanges: readonly BalanceChange[];
}

/** A programmable transaction's input: pure bytes (as the sender wrote them) or an object reference. */
export type TransactionInput = { readonly kind: 'pure'; readonly bytes: Uint8Array } | { readonly kind: 'object' };

/** The coins the gateway tells apart; every other coin type is `other`. */
export type CoinKind = 'SUI' | 'WAL' | 'other';

/** How much of a coin an address gained (positive) or lost (negative) in a transaction, in its smallest unit. */
export interface BalanceChange {
  readonly address: SuiAddress;
  readonly coin: CoinKind;
  readonly amount: bigint;
}

/** The committee to read a blob from, given the epoch it was first certified in (`null`: unknown). */
export function readCommitteeFor(state: Pick<SystemState, 'committee' | 'previousCommitteeForReads'>, certifiedEpoch: number | null): Committee {
  const previous = state.previousCommitteeForReads;
  if (previous !== undefined && certifiedEpoch !== null && certifiedEpoch < state.committee.epoch) return previous;
  return state.committee;
}
