import { committeeFromGenesis } from './genesis.ts';
import {
  type Address,
  type BlobRecord,
  type CommitteeMember,
  type LedgerRecord,
  type ObjectId,
  type OwnedStorageRecord,
  type TransactionEffects,
  DEFAULT_MAX_EPOCHS_AHEAD,
  FIRST_EPOCH,
} from './model.ts';

/** The state without its mutators: what readers (the HTTP routes) get. */
export type LedgerView = Readonly<Omit<LedgerState, 'apply' | 'forgetExpiredTransactions'>>;

/**
 * What a transaction lookup answers (the upload relay checks tips with it), kept for every
 * transaction since genesis: the few fields it needs, not the whole effects.
 */
export interface ExecutedTransaction {
  readonly digest: string;
  readonly kind: TransactionEffects['kind'];
  readonly sender: Address;
  /** `null` for transactions logged before execution times were kept. */
  readonly executedAtMs: number | null;
  /** base64, in order. */
  readonly pureInputs: readonly string[];
  readonly balanceChanges: TransactionEffects['balanceChanges'];
}

/** A transaction remembered until its expiry, so a resubmission gets its effects instead of a second run. */
interface RecentTransaction {
  readonly expiresAtMs: number;
  readonly effects: TransactionEffects;
}

/**
 * The Walrus system state the ledger holds, changed only by {@link LedgerState.apply} of a log
 * record. Reading is free; the rules (`rules.ts`) read it to plan a transaction's effects.
 */
export class LedgerState {
  nShards = 0;
  committee: readonly CommitteeMember[] = [];
  storagePricePerUnitSize = 0n;
  writePricePerUnitSize = 0n;
  maxEpochsAhead = DEFAULT_MAX_EPOCHS_AHEAD;
  epochDurationMs = 0;
  epoch = 0;
  epochStartedAtMs = 0;
  /** Records applied so far, genesis included. */
  recordCount = 0;
  /** Events emitted so far; the next event's `order`. */
  eventCount = 0;

  private readonly balances = new Map<Address, bigint>();
  private readonly blobs = new Map<ObjectId, BlobRecord>();
  private readonly storage = new Map<ObjectId, OwnedStorageRecord>();
  private readonly objectIdsByBlobId = new Map<string, Set<ObjectId>>();
  private readonly blobIdBySharedObjectId = new Map<ObjectId, ObjectId>();
  private readonly recentTransactions = new Map<string, RecentTransaction>();
  private readonly executed = new Map<string, ExecutedTransaction>();

  get hasGenesis(): boolean {
    return this.recordCount > 0;
  }

  balanceOf(address: Address): bigint {
    return this.balances.get(address) ?? 0n;
  }

  /** A Blob object by its own ID or by the ID of the SharedBlob wrapping it. */
  blob(objectId: ObjectId): BlobRecord | undefined {
    return this.blobs.get(this.blobIdBySharedObjectId.get(objectId) ?? objectId);
  }

  /** Every existing Blob object (expired ones included) with this blob ID. */
  blobsWithBlobId(blobId: string): BlobRecord[] {
    return [...(this.objectIdsByBlobId.get(blobId) ?? [])].map((id) => this.blobs.get(id) as BlobRecord);
  }

  blobsOwnedBy(address: Address, blobId?: string): BlobRecord[] {
    const candidates = blobId === undefined ? this.blobs.values() : this.blobsWithBlobId(blobId);
    return [...candidates].filter((blob) => blob.owner.kind === 'address' && blob.owner.address === address);
  }

  storageObject(objectId: ObjectId): OwnedStorageRecord | undefined {
    return this.storage.get(objectId);
  }

  /** Effects of an accepted transaction whose digest is still remembered. */
  recentTransaction(digest: string): TransactionEffects | undefined {
    return this.recentTransactions.get(digest)?.effects;
  }

  /** Any transaction executed since genesis. */
  transaction(digest: string): ExecutedTransaction | undefined {
    return this.executed.get(digest);
  }

  /** Forgets transactions whose expiry has passed: they can no longer be submitted at all. */
  forgetExpiredTransactions(nowMs: number): void {
    for (const [digest, recent] of this.recentTransactions) {
      if (recent.expiresAtMs <= nowMs) this.recentTransactions.delete(digest);
    }
  }

  /** Applies one log record. Records come from the rules, which checked them; nothing is checked here. */
  apply(record: LedgerRecord): void {
    switch (record.type) {
      case 'genesis': {
        const { genesis } = record;
        this.nShards = genesis.nShards;
        this.committee = committeeFromGenesis(genesis);
        this.storagePricePerUnitSize = genesis.storagePricePerUnitSize;
        this.writePricePerUnitSize = genesis.writePricePerUnitSize;
        this.maxEpochsAhead = genesis.maxEpochsAhead ?? DEFAULT_MAX_EPOCHS_AHEAD;
        this.epochDurationMs = genesis.epochDurationMs;
        this.epoch = FIRST_EPOCH;
        this.epochStartedAtMs = record.startedAtMs;
        break;
      }
      case 'epoch':
        this.epoch = record.epoch;
        this.epochStartedAtMs = record.startedAtMs;
        break;
      case 'faucet':
        this.balances.set(record.address, this.balanceOf(record.address) + record.amount);
        break;
      case 'nodeAddresses': {
        const updates = new Map(record.nodes.map((node) => [node.nodeId, node]));
        this.committee = this.committee.map((member) => {
          const update = updates.get(member.nodeId);
          if (!update) return member;
          const { networkPublicKey: _replaced, ...rest } = member;
          return { ...rest, name: update.name, url: update.url, ...(update.networkPublicKey !== undefined ? { networkPublicKey: update.networkPublicKey } : {}) };
        });
        break;
      }
      case 'transaction':
        this.applyEffects(record.effects);
        break;
    }
    this.recordCount++;
  }

  private applyEffects(effects: TransactionEffects): void {
    for (const { address, delta } of effects.balanceChanges) this.balances.set(address, this.balanceOf(address) + delta);
    for (const objectId of effects.deleted) this.removeBlob(objectId);
    for (const blob of effects.writtenBlobs) this.putBlob(blob);
    for (const storage of effects.writtenStorage) this.storage.set(storage.id, storage);
    this.eventCount += effects.events.length;
    this.recentTransactions.set(effects.digest, { expiresAtMs: effects.expiresAtMs, effects });
    const { digest, kind, sender, balanceChanges } = effects;
    this.executed.set(digest, { digest, kind, sender, executedAtMs: effects.executedAtMs ?? null, pureInputs: effects.pureInputs ?? [], balanceChanges });
  }

  private putBlob(blob: BlobRecord): void {
    this.blobs.set(blob.id, blob);
    let ids = this.objectIdsByBlobId.get(blob.blobId);
    if (!ids) this.objectIdsByBlobId.set(blob.blobId, (ids = new Set()));
    ids.add(blob.id);
    if (blob.owner.kind === 'shared') this.blobIdBySharedObjectId.set(blob.owner.sharedObjectId, blob.id);
  }

  private removeBlob(objectId: ObjectId): void {
    const blob = this.blobs.get(objectId);
    if (!blob) return;
    this.blobs.delete(objectId);
    const ids = this.objectIdsByBlobId.get(blob.blobId);
    ids?.delete(objectId);
    if (ids?.size === 0) this.objectIdsByBlobId.delete(blob.blobId);
    if (blob.owner.kind === 'shared') this.blobIdBySharedObjectId.delete(blob.owner.sharedObjectId);
  }
}
