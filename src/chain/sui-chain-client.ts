import { bcs } from '@mysten/sui/bcs';
import { ObjectError, SimulationError, TransactionError, type ClientWithCoreApi, type SuiClientTypes } from '@mysten/sui/client';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import type { Transaction } from '@mysten/sui/transactions';
import { normalizeStructTag, normalizeSuiAddress, normalizeSuiObjectId, parseStructTag, SUI_TYPE_ARG } from '@mysten/sui/utils';
import type {
  BlobObject,
  BlobOwner,
  CallOptions,
  CertifyBlobRequest,
  CertifyBlobResult,
  ChainClient,
  DeleteBlobRequest,
  DeleteBlobResult,
  ExtendBlobRequest,
  ExtendBlobResult,
  FundWalletRequest,
  ObjectId,
  OwnedBlobFilter,
  Prices,
  RegisterBlobRequest,
  RegisterBlobResult,
  Signer,
  SuiAddress,
  TransactionDetails,
  TransactionReceipt,
} from './chain-client.ts';
import { ChainError, ChainUnavailableError, InsufficientBalanceError, InvalidChainResponseError, InvalidTransactionError } from './chain-errors.ts';
import { registrationCost, storageCostForEpochs } from './storage-cost.ts';
import { Blob, BLOB_METADATA_FIELD_NAME, BlobMetadata, SharedBlob, StakingInnerV1, StakingPool, SystemStateInnerV1, VersionedObject } from './sui-bcs.ts';
import { committeeNodeIds, pricesFromMove, systemStateFromMove, type SuiSystemState } from './sui-committee.ts';
import type { ResolvedSuiNetwork } from './sui-network-presets.ts';
import { blobEventsFromSui, blobIdText, blobObjectFromMove } from './sui-objects.ts';
import * as ptb from './sui-transactions.ts';
import { TRANSACTION_DIGEST, transactionDetailsFromSui } from './sui-transaction-details.ts';

const PAGE_LIMIT = 50;
const BLOB_METADATA_FIELD_NAME_BCS = bcs.vector(bcs.u8()).serialize(BLOB_METADATA_FIELD_NAME).toBytes();
/** Where `balance::split` lives; its abort means the paying coin holds too little (docs/protocol.md §5.3). */
const SUI_FRAMEWORK = normalizeSuiObjectId('0x2');
const TRANSACTION_INCLUDE = { effects: true, events: true } as const;

export interface SuiChainClientOptions {
  readonly network: ResolvedSuiNetwork;
  /** Any `@mysten/sui` client with the core API; defaults to gRPC against `network.rpcUrl`. */
  readonly client?: ClientWithCoreApi;
}

interface PackageInfo {
  readonly refs: ptb.WalrusPackageRefs;
  /** The original package ID: the address in the `Blob` and event types. */
  readonly originalId: ObjectId;
}

/**
 * The chain client for real Sui networks: reads the Walrus System and Staking objects through their
 * versioned dynamic fields and sends PTBs (docs/protocol.md §5). Writes by one signer are
 * serialised so two uploads never pick the same WAL coins; use sub-wallets for parallel uploads.
 */
export class SuiChainClient implements ChainClient {
  private readonly sui: ClientWithCoreApi;
  private readonly network: ResolvedSuiNetwork;
  private packageInfo: Promise<PackageInfo> | null = null;
  private poolsCache: { epoch: number; pools: Map<ObjectId, ReturnType<typeof StakingPool.parse>> } | null = null;
  private readonly signerQueues = new Map<SuiAddress, Promise<unknown>>();

  constructor(options: SuiChainClientOptions) {
    this.network = options.network;
    this.sui = options.client ?? new SuiGrpcClient({ network: options.network.network, baseUrl: options.network.rpcUrl });
  }

  async getSystemState(options?: CallOptions): Promise<SuiSystemState> {
    return this.retryOnEpochChange(() => this.readSystemState(options?.signal));
  }

  async getBalance(address: SuiAddress, options?: CallOptions): Promise<bigint> {
    const { refs } = await this.package(options?.signal);
    const { balance } = await this.call(() => this.sui.core.getBalance({ owner: normalizeSuiAddress(address), coinType: refs.walCoinType, signal: options?.signal }));
    return BigInt(balance.balance);
  }

  async getGasBalance(address: SuiAddress, options?: CallOptions): Promise<bigint> {
    return this.suiBalance(normalizeSuiAddress(address), options?.signal);
  }

  async getBlobObject(objectId: ObjectId, options?: CallOptions): Promise<BlobObject | null> {
    const signal = options?.signal;
    const { objects } = await this.call(() => this.sui.core.getObjects({ objectIds: [normalizeSuiObjectId(objectId)], include: { content: true }, signal }));
    const object = objects[0];
    if (object instanceof ObjectError && object.reason !== 'unknown') return null;
    if (object instanceof Error) throw new ChainUnavailableError(`reading object ${objectId} failed: ${object.message}`, { cause: object });
    const { originalId } = await this.package(signal);
    const tag = parseStructTag(object.type);
    if (normalizeSuiObjectId(tag.address) !== originalId) return null;
    if (tag.module === 'blob' && tag.name === 'Blob') return this.toBlobObject(Blob.parse(object.content), ownerOf(object.owner), signal);
    if (tag.module === 'shared_blob' && tag.name === 'SharedBlob') {
      const shared = SharedBlob.parse(object.content);
      return this.toBlobObject(shared.blob, { kind: 'shared', sharedObjectId: normalizeSuiObjectId(shared.id) }, signal);
    }
    return null;
  }

  async getOwnedBlobObjects(owner: SuiAddress, filter?: OwnedBlobFilter, options?: CallOptions): Promise<BlobObject[]> {
    const signal = options?.signal;
    const { originalId } = await this.package(signal);
    const result: BlobObject[] = [];
    let cursor: string | null = null;
    do {
      const page: SuiClientTypes.ListOwnedObjectsResponse<{ content: true }> = await this.call(() =>
        this.sui.core.listOwnedObjects({ owner: normalizeSuiAddress(owner), type: `${originalId}::blob::Blob`, include: { content: true }, cursor, limit: PAGE_LIMIT, signal }),
      );
      for (const object of page.objects) {
        const parsed = Blob.parse(object.content);
        // Filtered before the attributes are read: those cost one RPC per blob.
        if (filter?.blobId !== undefined && blobIdText(parsed.blob_id) !== filter.blobId) continue;
        result.push(await this.toBlobObject(parsed, ownerOf(object.owner), signal));
      }
      cursor = page.hasNextPage ? page.cursor : null;
    } while (cursor !== null);
    return result;
  }

  async registerBlob(signer: Signer, request: RegisterBlobRequest, options?: CallOptions): Promise<RegisterBlobResult> {
    return this.serialised(signer, async () => {
      const cost = registrationCost(await this.prices(options?.signal), request.encodedLength, request.encodedLength, request.epochs);
      const { refs } = await this.package(options?.signal);
      const walCoins = ptb.selectWalCoins(await this.walCoins(signer.toSuiAddress(), options?.signal), cost.total);
      const tx = ptb.registerBlobTransaction({ refs, owner: signer.toSuiAddress(), walCoins, ...request });
      const executed = await this.execute(signer, tx, options?.signal);
      const registered = executed.events.find((event) => event.type === 'blobRegistered');
      if (registered === undefined) throw new InvalidChainResponseError(`transaction ${executed.digest} registered no blob`);
      return { ...executed, blobObject: await this.requireBlob(registered.objectId, options), cost };
    });
  }

  async certifyBlob(signer: Signer, request: CertifyBlobRequest, options?: CallOptions): Promise<CertifyBlobResult> {
    return this.serialised(signer, async () => {
      const { refs } = await this.package(options?.signal);
      const postStore = request.postStore ?? { kind: 'keep' };
      const blobObjectId = normalizeSuiObjectId(request.blobObjectId);
      const tx = ptb.certifyBlobTransaction({ refs, blobObjectId, certificate: request.certificate, postStore });
      const executed = await this.execute(signer, tx, options?.signal);
      const shared = postStore.kind === 'share' ? executed.created.find((id) => id !== blobObjectId) ?? null : null;
      return { ...executed, blobObject: await this.requireBlob(shared ?? blobObjectId, options), sharedBlobObjectId: shared };
    });
  }

  async extendBlob(signer: Signer, request: ExtendBlobRequest, options?: CallOptions): Promise<ExtendBlobResult> {
    return this.serialised(signer, async () => {
      const blob = await this.requireBlob(request.blobObjectId, options);
      if (blob.owner.kind === 'shared') {
        // The SharedBlob's extension entry point pays from the wrapper's own funds; funding it is not built yet.
        throw new InvalidTransactionError('extending a SharedBlob is not supported by the Sui chain client yet');
      }
      const cost = storageCostForEpochs(await this.prices(options?.signal), blob.storage.storageSize, request.extendedEpochs);
      const { refs } = await this.package(options?.signal);
      const walCoins = ptb.selectWalCoins(await this.walCoins(signer.toSuiAddress(), options?.signal), cost);
      const tx = ptb.extendBlobTransaction({ refs, walCoins, blobObjectId: blob.id, extendedEpochs: request.extendedEpochs });
      const executed = await this.execute(signer, tx, options?.signal);
      return { ...executed, blobObject: await this.requireBlob(blob.id, options), cost };
    });
  }

  async deleteBlob(signer: Signer, request: DeleteBlobRequest, options?: CallOptions): Promise<DeleteBlobResult> {
    return this.serialised(signer, async () => {
      const blob = await this.requireBlob(request.blobObjectId, options);
      const { refs } = await this.package(options?.signal);
      const executed = await this.execute(signer, ptb.deleteBlobTransaction(refs, blob.id, signer.toSuiAddress()), options?.signal);
      return { ...executed, storage: blob.storage };
    });
  }

  async fundWallet(signer: Signer, request: FundWalletRequest, options?: CallOptions): Promise<TransactionReceipt | null> {
    if (request.wal === 0n && request.gas === 0n) return null;
    return this.serialised(signer, async () => {
      const walCoins = request.wal > 0n ? ptb.selectWalCoins(await this.walCoins(signer.toSuiAddress(), options?.signal), request.wal) : [];
      const tx = ptb.fundSubWalletTransaction({ recipient: normalizeSuiAddress(request.recipient), suiAmount: request.gas, walCoins, walAmount: request.wal });
      const { digest, events } = await this.execute(signer, tx, options?.signal, request.gas);
      return { digest, events };
    });
  }

  async getTransaction(digest: string, options?: CallOptions): Promise<TransactionDetails | null> {
    if (!TRANSACTION_DIGEST.test(digest)) return null;
    const signal = options?.signal;
    let result: SuiClientTypes.TransactionResult<{ bcs: true; balanceChanges: true }>;
    try {
      result = await this.sui.core.getTransaction({ digest, include: { bcs: true, balanceChanges: true }, signal });
    } catch (error) {
      if (error instanceof TransactionError && error.reason === 'notFound') return null;
      throw this.chainError(error);
    }
    const { refs } = await this.package(signal);
    const executed = result.$kind === 'Transaction' ? result.Transaction : result.FailedTransaction;
    return transactionDetailsFromSui(executed, result.$kind === 'Transaction', refs.walCoinType);
  }

  async close(): Promise<void> {
    // The core clients hold no sockets of their own beyond fetch's global pool.
  }

  private async readSystemState(signal?: AbortSignal): Promise<SuiSystemState> {
    const [systemInnerBytes, stakingInnerBytes] = await Promise.all([
      this.readVersionedState(this.network.systemObjectId, signal),
      this.readVersionedState(this.network.stakingObjectId, signal),
    ]);
    const systemInner = SystemStateInnerV1.parse(systemInnerBytes);
    const stakingInner = StakingInnerV1.parse(stakingInnerBytes);
    // Pools change rarely; they are re-read when the epoch (and so the committee) changes.
    if (this.poolsCache?.epoch !== stakingInner.epoch) {
      const ids = committeeNodeIds(stakingInner);
      const { objects } = await this.call(() => this.sui.core.getObjects({ objectIds: ids, include: { content: true }, signal }));
      const pools = new Map<ObjectId, ReturnType<typeof StakingPool.parse>>();
      objects.forEach((object, i) => {
        if (object instanceof Error) throw new InvalidChainResponseError(`staking pool ${ids[i]} could not be read: ${object.message}`, { cause: object });
        pools.set(ids[i], StakingPool.parse(object.content));
      });
      this.poolsCache = { epoch: stakingInner.epoch, pools };
    }
    return systemStateFromMove({ systemInner, stakingInner, pools: this.poolsCache.pools });
  }

  /** The current prices alone: the System object, without the committee. */
  private async prices(signal?: AbortSignal): Promise<Prices> {
    return pricesFromMove(SystemStateInnerV1.parse(await this.readVersionedState(this.network.systemObjectId, signal)));
  }

  /** The `u64 version → inner` dynamic field of the System or Staking object (docs/protocol.md §5.1). */
  private async readVersionedState(objectId: ObjectId, signal?: AbortSignal): Promise<Uint8Array> {
    const { object } = await this.call(() => this.sui.core.getObject({ objectId, include: { content: true }, signal }));
    const { version } = VersionedObject.parse(object.content);
    const { dynamicField } = await this.call(() =>
      this.sui.core.getDynamicField({ parentId: objectId, name: { type: 'u64', bcs: bcs.u64().serialize(version).toBytes() }, signal }),
    );
    return dynamicField.value.bcs;
  }

  private package(signal?: AbortSignal): Promise<PackageInfo> {
    this.packageInfo ??= this.loadPackage(signal).catch((error: unknown) => {
      this.packageInfo = null;
      throw error;
    });
    return this.packageInfo;
  }

  private async loadPackage(signal?: AbortSignal): Promise<PackageInfo> {
    const systemObjectId = this.network.systemObjectId;
    const { object } = await this.call(() => this.sui.core.getObject({ objectId: systemObjectId, include: { content: true }, signal }));
    const originalId = normalizeSuiObjectId(parseStructTag(object.type).address);
    const packageId = normalizeSuiObjectId(VersionedObject.parse(object.content).package_id);
    // As the SDK does: WAL's type is the coin parameter of `staking::stake_with_pool`.
    const { function: fn } = await this.call(() => this.sui.core.getMoveFunction({ packageId: originalId, moduleName: 'staking', name: 'stake_with_pool', signal }));
    const coin = fn.parameters[1]?.body;
    const wal = coin?.$kind === 'datatype' ? coin.datatype.typeParameters[0] : undefined;
    if (wal?.$kind !== 'datatype') throw new InvalidChainResponseError('the WAL coin type could not be found in staking::stake_with_pool');
    return { originalId, refs: { packageId, systemObjectId, walCoinType: normalizeStructTag(wal.datatype.typeName) } };
  }

  private async toBlobObject(blob: ReturnType<typeof Blob.parse>, owner: BlobOwner, signal?: AbortSignal): Promise<BlobObject> {
    let metadata: ReturnType<typeof BlobMetadata.parse> | null = null;
    try {
      const { dynamicField } = await this.sui.core.getDynamicField({
        parentId: normalizeSuiObjectId(blob.id),
        name: { type: 'vector<u8>', bcs: BLOB_METADATA_FIELD_NAME_BCS },
        signal,
      });
      metadata = BlobMetadata.parse(dynamicField.value.bcs);
    } catch (error) {
      // A blob without attributes has no metadata field; anything else is a real failure.
      if (!(error instanceof ObjectError && error.reason === 'notFound')) throw this.chainError(error);
    }
    return blobObjectFromMove(blob, owner, metadata);
  }

  private async requireBlob(objectId: ObjectId, options?: CallOptions): Promise<BlobObject> {
    const blob = await this.getBlobObject(objectId, options);
    if (blob === null) throw new InvalidChainResponseError(`blob object ${objectId} is not on chain`);
    return blob;
  }

  private async walCoins(owner: SuiAddress, signal?: AbortSignal): Promise<ptb.WalCoinRef[]> {
    const { refs } = await this.package(signal);
    const coins: ptb.WalCoinRef[] = [];
    let cursor: string | null = null;
    do {
      const page: SuiClientTypes.ListCoinsResponse = await this.call(() => this.sui.core.listCoins({ owner, coinType: refs.walCoinType, cursor, limit: PAGE_LIMIT, signal }));
      for (const coin of page.objects) coins.push({ objectId: coin.objectId, version: coin.version, digest: coin.digest, balance: BigInt(coin.balance) });
      cursor = page.hasNextPage ? page.cursor : null;
    } while (cursor !== null);
    return coins;
  }

  /**
   * Check there is SUI for gas, build (which sets the gas budget from a dry run), check the SUI
   * covers the budget plus `suiSent` (SUI the transaction itself moves out of the gas coin), dry-run
   * again on the final bytes, then sign, execute and wait until the effects are readable.
   */
  private async execute(signer: Signer, tx: Transaction, signal?: AbortSignal, suiSent = 0n): Promise<TransactionReceipt & { created: ObjectId[] }> {
    signal?.throwIfAborted();
    const sender = signer.toSuiAddress();
    tx.setSender(sender);
    const available = await this.suiBalance(sender, signal);
    // Without a SUI coin the SDK cannot pick gas payment and fails with a generic error; say why first.
    if (available === 0n) throw new InsufficientBalanceError(`${sender} holds no SUI to pay gas with`, null, 0n, 'SUI');
    const bytes = await this.build(tx);
    const needed = BigInt(tx.getData().gasData.budget ?? 0) + suiSent;
    if (available < needed) {
      const what = suiSent > 0n ? `the gas budget plus the ${suiSent} MIST sent` : 'the gas budget';
      throw new InsufficientBalanceError(`${sender} holds ${available} MIST of SUI but ${what} is ${needed}`, needed, available, 'SUI');
    }
    const simulated = await this.call(() => this.sui.core.simulateTransaction({ transaction: bytes, signal }));
    if (simulated.$kind === 'FailedTransaction') throw executionError('dry run', simulated.FailedTransaction.status);
    const { signature } = await signer.signTransaction(bytes);
    const result = await this.call(() => this.sui.core.executeTransaction({ transaction: bytes, signatures: [signature], include: TRANSACTION_INCLUDE, signal }));
    if (result.$kind === 'FailedTransaction') throw executionError('execution', result.FailedTransaction.status);
    const executed = result.Transaction;
    await this.call(() => this.sui.core.waitForTransaction({ result, signal }));
    const { originalId } = await this.package(signal);
    return {
      digest: executed.digest,
      events: blobEventsFromSui(executed.digest, executed.events, originalId),
      created: executed.effects.changedObjects.filter((o) => o.idOperation === 'Created').map((o) => normalizeSuiObjectId(o.objectId)),
    };
  }

  /** Builds the transaction; the SDK dry-runs it to set the gas budget, and a failure there is the transaction's fault. */
  private async build(tx: Transaction): Promise<Uint8Array> {
    try {
      return await tx.build({ client: this.sui });
    } catch (error) {
      if (error instanceof SimulationError && error.executionError !== undefined) throw moveError('dry run', error.executionError);
      throw this.chainError(error);
    }
  }

  private async suiBalance(owner: SuiAddress, signal?: AbortSignal): Promise<bigint> {
    const { balance } = await this.call(() => this.sui.core.getBalance({ owner, coinType: SUI_TYPE_ARG, signal }));
    return BigInt(balance.balance);
  }

  /** One write at a time per signer, so coin selection never races with another write of the same wallet. */
  private serialised<T>(signer: Signer, run: () => Promise<T>): Promise<T> {
    const address = signer.toSuiAddress();
    const previous = this.signerQueues.get(address) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.then(() => undefined, () => undefined);
    this.signerQueues.set(address, settled);
    void settled.then(() => {
      if (this.signerQueues.get(address) === settled) this.signerQueues.delete(address);
    });
    return next;
  }

  /** An epoch change between reading System and Staking makes them disagree; one re-read settles it. */
  private async retryOnEpochChange<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof InvalidChainResponseError)) throw error;
      this.poolsCache = null;
      return read();
    }
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.chainError(error);
    }
  }

  private chainError(error: unknown): Error {
    if (error instanceof ChainError || (error instanceof Error && error.name === 'AbortError')) return error as Error;
    return new ChainUnavailableError(`Sui RPC failed: ${(error as Error).message}`, { cause: error });
  }
}

function ownerOf(owner: SuiClientTypes.ObjectOwner): BlobOwner {
  if (owner.$kind === 'AddressOwner') return { kind: 'address', address: normalizeSuiAddress(owner.AddressOwner) };
  if (owner.$kind === 'ConsensusAddressOwner') return { kind: 'address', address: normalizeSuiAddress(owner.ConsensusAddressOwner.owner) };
  throw new InvalidChainResponseError(`a Blob object has owner kind ${owner.$kind}`);
}

/** A failed dry run or execution as a chain error that names the Move abort. */
function executionError(stage: string, status: SuiClientTypes.ExecutionStatus): ChainError {
  if (status.success) return new InvalidChainResponseError(`${stage} reported failure with a success status`);
  return moveError(stage, status.error);
}

function moveError(stage: string, error: SuiClientTypes.ExecutionError): ChainError {
  const abort = error.$kind === 'MoveAbort' ? error.MoveAbort : undefined;
  const where = abort?.location ? ` in ${abort.location.module}::${abort.location.functionName ?? '?'}` : '';
  const name = abort?.cleverError?.constantName ?? (abort ? `abort code ${abort.abortCode}` : error.$kind);
  const message = `${stage} failed${where}: ${name} (${error.message})`;
  const location = abort?.location;
  // The WAL payment coin is split inside the contract; a short coin aborts there (prices rose since coin selection).
  if (location?.module === 'balance' && location.functionName === 'split' && (location.package === undefined || normalizeSuiObjectId(location.package) === SUI_FRAMEWORK)) {
    return new InsufficientBalanceError(`the wallet's WAL does not cover the price: ${message}`);
  }
  return new InvalidTransactionError(message);
}
