import { blobIdToString, pairIndexToShard, secondarySliverIndex, shardToPairIndex } from '../../codec/blob-id.ts';
import type { Persistence } from '../../codec/confirmation.ts';
import { InvalidMetadataError as CodecInvalidMetadataError, InvalidSliverError as CodecInvalidSliverError } from '../../codec/errors.ts';
import type { CodecKernel } from '../../codec/kernel/kernel.ts';
import { decodeBlobMetadata, verifyMetadata, type BlobMetadata } from '../../codec/metadata.ts';
import { EncodingParams } from '../../codec/params.ts';
import type { SliverType } from '../../codec/sliver.ts';
import { BatchedSliverVerifier } from './batched-sliver-verifier.ts';
import { decodeMetadataBody, decodeSliverBody } from './bcs-bodies.ts';
import type { ChainView, NodeChainState } from './chain-view.ts';
import type { ConfirmationSigner, SignedConfirmationJson } from './confirmation-signer.ts';
import type { DiskBlobStore } from './disk-blob-store.ts';
import type { BlobStatusJson, LedgerBlobState } from './ledger-client.ts';
import { corruptMetadataBcs, corruptSliverBcs, type NodeFaults } from './node-faults.ts';
import {
  CacheSaturatedError,
  IndexOutOfRangeError,
  InvalidBlobError,
  InvalidMetadataError,
  InvalidSliverError,
  MetadataNotFoundError,
  MetadataRequiredError,
  MissingSliversError,
  NotRegisteredError,
  ShardNotAssignedError,
  SliverIndexMismatchError,
  SliverNotFoundError,
} from './node-errors.ts';
import { LRUCache } from 'lru-cache';

/** `StoredOnNodeStatus` (docs/protocol.md §4.5). Local nodes never buffer, so never `buffered`. */
export type StoredOnNodeStatus = 'nonexistent' | 'stored';

/** Whether a PUT stored something new or found it already there. */
export type StoreOutcome = 'stored' | 'alreadyStored';

export interface StorageNodeServiceDeps {
  readonly chain: ChainView;
  readonly store: DiskBlobStore;
  readonly signer: ConfirmationSigner;
  readonly kernel: CodecKernel;
  readonly faults: () => NodeFaults;
  /** Shared with the other nodes of this process, for larger batches; a verifier of its own by default. */
  readonly verifier?: BatchedSliverVerifier;
}

const isRegistered = (state: LedgerBlobState): boolean => state.registrations.length > 0;

/** Does the ledger hold a live Blob object this confirmation may certify? */
function hasRegistrationFor(state: LedgerBlobState, persistence: Persistence): boolean {
  if (persistence.kind === 'permanent') return state.registrations.some((registration) => !registration.deletable);
  const objectId = '0x' + Buffer.from(persistence.objectId).toString('hex');
  return state.registrations.some((registration) => registration.deletable && registration.objectId === objectId);
}

function isInvalidated(state: LedgerBlobState): boolean {
  return typeof state.status === 'object' && 'invalid' in state.status;
}

/**
 * The storage node's behaviour, free of HTTP: the checks of the reference node, in its order
 * (`W:crates/walrus-service/src/node.rs`, `impl ServiceState for StorageNodeInner`), against the
 * ledger's view of registrations and the blobs on disk.
 */
export class StorageNodeService {
  /** Verified metadata of recent blobs: a burst of sliver uploads parses a blob's metadata once. */
  private readonly metadataCache = new LRUCache<string, BlobMetadata>({ max: 64 });
  private readonly verifier: BatchedSliverVerifier;

  constructor(private readonly deps: StorageNodeServiceDeps) {
    this.verifier = deps.verifier ?? new BatchedSliverVerifier(deps.kernel);
  }

  async storeMetadata(blobId: Uint8Array, body: Uint8Array, pending: boolean): Promise<StoreOutcome> {
    const metadata = decodeMetadataBody(body);
    const id = blobIdToString(blobId);
    const ledgerState = await this.deps.chain.blobState(id, isRegistered);
    if (isInvalidated(ledgerState)) throw new InvalidBlobError();
    if (await this.deps.store.hasMetadata(id)) return 'alreadyStored';
    const { nShards } = this.deps.chain.state;
    try {
      verifyMetadata(blobId, metadata, EncodingParams.forShards(nShards), this.deps.kernel);
    } catch (error) {
      if (error instanceof CodecInvalidMetadataError) throw new InvalidMetadataError(error.message);
      throw error;
    }
    if (!isRegistered(ledgerState)) throw pending ? new CacheSaturatedError() : new NotRegisteredError();
    await this.deps.store.writeMetadata(id, body);
    this.metadataCache.set(id, metadata);
    return 'stored';
  }

  /** BCS `BlobMetadataWithId`. */
  async getMetadata(blobId: Uint8Array): Promise<Uint8Array> {
    const id = blobIdToString(blobId);
    if (!isRegistered(await this.deps.chain.blobState(id, isRegistered))) throw new MetadataNotFoundError();
    const stored = await this.deps.store.readMetadata(id);
    if (!stored) throw new MetadataNotFoundError();
    const withId = new Uint8Array(blobId.length + stored.length);
    withId.set(blobId);
    withId.set(stored, blobId.length);
    return this.deps.faults().corruptMetadata ? corruptMetadataBcs(withId) : withId;
  }

  async metadataStatus(blobId: Uint8Array): Promise<StoredOnNodeStatus> {
    return (await this.deps.store.hasMetadata(blobIdToString(blobId))) ? 'stored' : 'nonexistent';
  }

  async storeSliver(blobId: Uint8Array, pairIndex: number, type: SliverType, body: Uint8Array, pending: boolean): Promise<StoreOutcome> {
    const sliver = decodeSliverBody(body, type);
    const chainState = this.deps.chain.state;
    const { nShards } = chainState;
    checkPairIndex(pairIndex, nShards);
    const expectedIndex = type === 'primary' ? pairIndex : secondarySliverIndex(pairIndex, nShards);
    if (sliver.index !== expectedIndex) throw new SliverIndexMismatchError(sliver.index, pairIndex);

    const id = blobIdToString(blobId);
    const metadata = await this.loadMetadata(id);
    // The reference trusts stored metadata as proof of registration because it deletes data on the
    // expiry event; local nodes collect garbage on a timer, so they check the ledger (briefly cached).
    const registered = isRegistered(await this.deps.chain.blobState(id, isRegistered));
    if (!metadata) throw registered || pending ? new MetadataRequiredError() : new NotRegisteredError();
    if (!registered) throw new NotRegisteredError();
    requireOwnedShard(chainState, pairIndex, blobId);
    if (await this.deps.store.hasSliver(id, pairIndex, type)) return 'alreadyStored';
    try {
      await this.verifier.verify(id, sliver, metadata, EncodingParams.forShards(nShards));
    } catch (error) {
      if (error instanceof CodecInvalidSliverError) throw new InvalidSliverError(error.message);
      throw error;
    }
    await this.deps.store.writeSliver(id, pairIndex, type, body);
    return 'stored';
  }

  /** BCS `SliverData`, exactly as it was stored. */
  async getSliver(blobId: Uint8Array, pairIndex: number, type: SliverType): Promise<Uint8Array> {
    const chainState = this.deps.chain.state;
    checkPairIndex(pairIndex, chainState.nShards);
    const id = blobIdToString(blobId);
    if (!isRegistered(await this.deps.chain.blobState(id, isRegistered))) throw new SliverNotFoundError();
    requireOwnedShard(chainState, pairIndex, blobId);
    const stored = await this.deps.store.readSliver(id, pairIndex, type);
    if (!stored) throw new SliverNotFoundError();
    return this.deps.faults().corruptSlivers ? corruptSliverBcs(stored) : stored;
  }

  /** Unlike the reference (which wraps a pair index ≥ n onto a shard), an out-of-range index is refused. */
  async sliverStatus(blobId: Uint8Array, pairIndex: number, type: SliverType): Promise<StoredOnNodeStatus> {
    const chainState = this.deps.chain.state;
    checkPairIndex(pairIndex, chainState.nShards);
    requireOwnedShard(chainState, pairIndex, blobId);
    return (await this.deps.store.hasSliver(blobIdToString(blobId), pairIndex, type)) ? 'stored' : 'nonexistent';
  }

  /**
   * Signs a confirmation once every shard this node owns in the current epoch holds the blob's
   * metadata and both slivers of its pair, durably; epoch, shards and registrations are read fresh.
   */
  async confirmation(blobId: Uint8Array, persistence: Persistence): Promise<SignedConfirmationJson> {
    const id = blobIdToString(blobId);
    // Read fresh, never cached: a confirmation must not outlive the Blob object it certifies.
    const [ledgerState, chainState] = await Promise.all([this.deps.chain.freshBlobState(id), this.deps.chain.refreshNetwork()]);
    if (!isRegistered(ledgerState)) throw new NotRegisteredError();
    if (!(await this.holdsAllSlivers(id, blobId, chainState))) throw new MissingSliversError();
    if (!hasRegistrationFor(ledgerState, persistence)) throw new NotRegisteredError();
    await this.deps.store.syncSlivers(id);
    const confirmation = { epoch: chainState.epoch, blobId, persistence };
    return this.deps.signer.sign(confirmation, this.deps.faults().invalidConfirmationSignatures);
  }

  /** Read fresh: readers poll it to see a certification, which a cached answer would hide. */
  async blobStatus(blobId: Uint8Array): Promise<BlobStatusJson> {
    return (await this.deps.chain.freshBlobState(blobIdToString(blobId))).status;
  }

  /** Drops a blob's data (garbage collection). */
  async deleteBlob(blobIdText: string): Promise<void> {
    this.metadataCache.delete(blobIdText);
    await this.deps.store.deleteBlob(blobIdText);
  }

  private async loadMetadata(id: string): Promise<BlobMetadata | undefined> {
    const cached = this.metadataCache.get(id);
    if (cached) return cached;
    const stored = await this.deps.store.readMetadata(id);
    if (!stored) return undefined;
    // Stored bytes were verified on PUT; failing to parse them now is an internal error.
    const metadata = decodeBlobMetadata(stored);
    this.metadataCache.set(id, metadata);
    return metadata;
  }

  private async holdsAllSlivers(id: string, blobId: Uint8Array, chainState: NodeChainState): Promise<boolean> {
    const { store } = this.deps;
    if (!(await store.hasMetadata(id))) return chainState.ownedShards.size === 0;
    const pairs = [...chainState.ownedShards].map((shard) => shardToPairIndex(shard, blobId, chainState.nShards));
    const held = await Promise.all(
      pairs.map(async (pair) => (await store.hasSliver(id, pair, 'primary')) && (await store.hasSliver(id, pair, 'secondary'))),
    );
    return held.every(Boolean);
  }
}

function checkPairIndex(pairIndex: number, nShards: number): void {
  if (pairIndex >= nShards) throw new IndexOutOfRangeError(pairIndex, nShards);
}

function requireOwnedShard(chainState: NodeChainState, pairIndex: number, blobId: Uint8Array): void {
  const shard = pairIndexToShard(pairIndex, blobId, chainState.nShards);
  if (!chainState.ownedShards.has(shard)) throw new ShardNotAssignedError(shard, chainState.epoch);
}
