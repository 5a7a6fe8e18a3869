import { CoreClient, ObjectError, TransactionError, type CoreClientOptions, type SuiClientTypes } from '@mysten/sui/client';
import { Transaction, TransactionDataBuilder, type TransactionData, type TransactionPlugin } from '@mysten/sui/transactions';
import { normalizeStructTag, normalizeSuiAddress, normalizeSuiObjectId, SUI_TYPE_ARG, toBase58 } from '@mysten/sui/utils';
import { verifyTransactionSignature } from '@mysten/sui/verify';

/**
 * A Sui full node in memory, behind the SDK's transport-neutral core API, for driving
 * `SuiChainClient` offline. It extends the SDK's own `CoreClient`, so `getObject`,
 * `getDynamicField` (dynamic-field ID derivation and Field<K, V> decoding) and `waitForTransaction`
 * are the SDK's code, and `Transaction.build` runs the SDK's transport-neutral resolver against it:
 * Move signatures decide shared-object mutability, the gas budget comes from a simulation, gas
 * coins from `listCoins`. Executed transactions must carry a valid signature by their sender.
 *
 * What it is not: a Move VM. Effects are whatever the test's `onExecute` says; the dry run fails
 * only when the test sets `simulationFailure`.
 */

export interface FakeObject {
  readonly objectId: string;
  readonly type: string;
  owner: SuiClientTypes.ObjectOwner;
  version: string;
  digest: string;
  /** BCS of the Move struct; a function for contents that change between reads. */
  content: Uint8Array | (() => Uint8Array);
}

/** A transaction as the fake node received it. */
export interface ExecutedTransaction {
  readonly bytes: Uint8Array;
  readonly data: TransactionData;
  readonly digest: string;
  readonly sender: string;
}

export interface ExecutionOutcome {
  readonly events?: readonly { readonly eventType: string; readonly bcs: Uint8Array }[];
  readonly created?: readonly string[];
}

/** What a full node reports of a transaction beyond its bytes (the fake runs no Move, so the test says). */
export interface TransactionFacts {
  /** The checkpoint's time; `null` until checkpointed. */
  readonly timestampMs: number | null;
  readonly balanceChanges: readonly SuiClientTypes.BalanceChange[];
  readonly failed?: boolean;
}

/** The gas a simulation reports; the SDK turns it into the budget (computation + 1000 × price + storage − rebate). */
export const FAKE_GAS_USED: SuiClientTypes.GasCostSummary = { computationCost: '1000000', storageCost: '2000000', storageRebate: '500000', nonRefundableStorageFee: '0' };
export const FAKE_GAS_PRICE = 1000n;
/** What the SDK computes from {@link FAKE_GAS_USED} at {@link FAKE_GAS_PRICE}. */
export const FAKE_GAS_BUDGET = 1_000_000n + 1000n * FAKE_GAS_PRICE + 2_000_000n - 500_000n;
const FAKE_CHAIN_ID = toBase58(new Uint8Array(32).fill(7));
const SUI_COIN = normalizeStructTag(SUI_TYPE_ARG);

let digestSeed = 1;
/** A fresh, well-formed object or transaction digest. */
export function fakeDigest(): string {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint32(0, digestSeed++);
  return toBase58(bytes);
}

const notUsed = (method: string) => Promise.reject(new Error(`FakeSuiClient: ${method} is not used by the chain client`));

export class FakeSuiClient extends CoreClient {
  readonly objects = new Map<string, FakeObject>();
  /** Coins by owner, then by normalized coin type. */
  readonly coins = new Map<string, Map<string, SuiClientTypes.Coin[]>>();
  /** Move function signatures by `package::module::function` (normalized package). */
  readonly functions = new Map<string, SuiClientTypes.FunctionResponse>();
  /** Every core-API call, by method name, in order. */
  readonly calls: { readonly method: string; readonly options: unknown }[] = [];
  readonly executed: ExecutedTransaction[] = [];
  /** Bytes of every simulation, the SDK's budget run and the client's dry run alike. */
  readonly simulated: Uint8Array[] = [];
  /** Makes simulations fail with this error, from the `simulationFailureFrom`-th on (0: the SDK's budget run, 1: the client's dry run). */
  simulationFailure: SuiClientTypes.ExecutionError | undefined;
  simulationFailureFrom = 0;
  onExecute: (transaction: ExecutedTransaction) => ExecutionOutcome = () => ({});
  private readonly results = new Map<string, SuiClientTypes.TransactionResult<{ effects: true; events: true }>>();
  private readonly transactionBytes = new Map<string, Uint8Array>();
  /** Checkpoint time and balance changes `getTransaction` reports, by digest. */
  readonly transactionFacts = new Map<string, TransactionFacts>();

  constructor() {
    // Without `base` the client is its own base, as the SDK's transports are.
    super({ network: 'testnet' } as CoreClientOptions);
  }

  addObject(object: Omit<FakeObject, 'version' | 'digest'> & Partial<Pick<FakeObject, 'version' | 'digest'>>): FakeObject {
    const stored: FakeObject = { version: '1', digest: fakeDigest(), ...object, objectId: normalizeSuiObjectId(object.objectId) };
    this.objects.set(stored.objectId, stored);
    return stored;
  }

  addCoin(owner: string, coinType: string, balance: bigint): SuiClientTypes.Coin {
    const type = normalizeStructTag(coinType);
    const coin = { objectId: normalizeSuiObjectId(`0x${(0xc0_0000 + digestSeed).toString(16)}`), version: '3', digest: fakeDigest(), owner: { $kind: 'AddressOwner', AddressOwner: normalizeSuiAddress(owner) } as const, type: `0x2::coin::Coin<${type}>`, balance: String(balance) };
    const byType = this.coins.get(normalizeSuiAddress(owner)) ?? new Map<string, SuiClientTypes.Coin[]>();
    byType.set(type, [...(byType.get(type) ?? []), coin]);
    this.coins.set(normalizeSuiAddress(owner), byType);
    return coin;
  }

  addFunction(packageId: string, moduleName: string, name: string, parameters: SuiClientTypes.OpenSignature[]): void {
    const fn: SuiClientTypes.FunctionResponse = { packageId, moduleName, name, visibility: 'public', isEntry: false, typeParameters: [], parameters, returns: [] };
    this.functions.set(`${normalizeSuiObjectId(packageId)}::${moduleName}::${name}`, fn);
  }

  callsOf(method: string): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.options);
  }

  private record(method: string, options: unknown): void {
    this.calls.push({ method, options });
  }

  async getObjects<Include extends SuiClientTypes.ObjectInclude = {}>(options: SuiClientTypes.GetObjectsOptions<Include>): Promise<SuiClientTypes.GetObjectsResponse<Include>> {
    this.record('getObjects', options);
    const objects = options.objectIds.map((id) => {
      const object = this.objects.get(normalizeSuiObjectId(id));
      if (object === undefined) return new ObjectError('notExists', `object ${id} does not exist`, { reason: 'notFound', objectId: id });
      const content = typeof object.content === 'function' ? object.content() : object.content;
      return { objectId: object.objectId, version: object.version, digest: object.digest, owner: object.owner, type: object.type, content, previousTransaction: null } as unknown as SuiClientTypes.Object<Include>;
    });
    return { objects };
  }

  async listOwnedObjects<Include extends SuiClientTypes.ObjectInclude = {}>(options: SuiClientTypes.ListOwnedObjectsOptions<Include>): Promise<SuiClientTypes.ListOwnedObjectsResponse<Include>> {
    this.record('listOwnedObjects', options);
    const owner = normalizeSuiAddress(options.owner);
    const ids = [...this.objects.values()]
      .filter((object) => object.owner.$kind === 'AddressOwner' && normalizeSuiAddress(object.owner.AddressOwner) === owner)
      .filter((object) => options.type === undefined || normalizeStructTag(object.type) === normalizeStructTag(options.type))
      .map((object) => object.objectId);
    const { objects } = await this.getObjects<Include>({ objectIds: ids, include: options.include });
    return { objects: objects as SuiClientTypes.Object<Include>[], hasNextPage: false, cursor: null };
  }

  async listCoins(options: SuiClientTypes.ListCoinsOptions): Promise<SuiClientTypes.ListCoinsResponse> {
    this.record('listCoins', options);
    const coins = this.coins.get(normalizeSuiAddress(options.owner))?.get(normalizeStructTag(options.coinType ?? SUI_TYPE_ARG)) ?? [];
    return { objects: coins, hasNextPage: false, cursor: null };
  }

  async getBalance(options: SuiClientTypes.GetBalanceOptions): Promise<SuiClientTypes.GetBalanceResponse> {
    this.record('getBalance', options);
    const coinType = normalizeStructTag(options.coinType ?? SUI_TYPE_ARG);
    const coins = this.coins.get(normalizeSuiAddress(options.owner))?.get(coinType) ?? [];
    const total = String(coins.reduce((sum, coin) => sum + BigInt(coin.balance), 0n));
    return { balance: { coinType, balance: total, coinBalance: total, addressBalance: '0' } };
  }

  async getMoveFunction(options: SuiClientTypes.GetMoveFunctionOptions): Promise<SuiClientTypes.GetMoveFunctionResponse> {
    this.record('getMoveFunction', options);
    const fn = this.functions.get(`${normalizeSuiObjectId(options.packageId)}::${options.moduleName}::${options.name}`);
    if (fn === undefined) throw new Error(`FakeSuiClient: no function ${options.packageId}::${options.moduleName}::${options.name}`);
    return { function: fn };
  }

  async getReferenceGasPrice(): Promise<SuiClientTypes.GetReferenceGasPriceResponse> {
    return { referenceGasPrice: String(FAKE_GAS_PRICE) };
  }

  async getCurrentSystemState(): Promise<SuiClientTypes.GetCurrentSystemStateResponse> {
    const zero = '0';
    return {
      systemState: {
        systemStateVersion: '2',
        epoch: '900',
        protocolVersion: '90',
        referenceGasPrice: String(FAKE_GAS_PRICE),
        epochStartTimestampMs: zero,
        safeMode: false,
        safeModeStorageRewards: zero,
        safeModeComputationRewards: zero,
        safeModeStorageRebates: zero,
        safeModeNonRefundableStorageFee: zero,
        parameters: { epochDurationMs: '86400000', stakeSubsidyStartEpoch: zero, maxValidatorCount: '150', minValidatorJoiningStake: zero, validatorLowStakeThreshold: zero, validatorLowStakeGracePeriod: zero },
        storageFund: { totalObjectStorageRebates: zero, nonRefundableBalance: zero },
        stakeSubsidy: { balance: zero, distributionCounter: zero, currentDistributionAmount: zero, stakeSubsidyPeriodLength: zero, stakeSubsidyDecreaseRate: 0 },
      },
    };
  }

  async getChainIdentifier(): Promise<SuiClientTypes.GetChainIdentifierResponse> {
    return { chainIdentifier: FAKE_CHAIN_ID };
  }

  async simulateTransaction<Include extends SuiClientTypes.SimulateTransactionInclude = {}>(options: SuiClientTypes.SimulateTransactionOptions<Include>): Promise<SuiClientTypes.SimulateTransactionResult<Include>> {
    this.record('simulateTransaction', options);
    if (!(options.transaction instanceof Uint8Array)) throw new Error('FakeSuiClient: simulate built bytes only');
    const index = this.simulated.push(options.transaction) - 1;
    const digest = TransactionDataBuilder.getDigestFromBytes(options.transaction);
    const failure = index >= this.simulationFailureFrom ? this.simulationFailure : undefined;
    const status: SuiClientTypes.ExecutionStatus = failure === undefined ? { success: true, error: null } : { success: false, error: failure };
    const transaction = this.transactionResult(digest, status, {});
    const result = status.success ? { $kind: 'Transaction', Transaction: transaction } : { $kind: 'FailedTransaction', FailedTransaction: transaction };
    return { ...result, commandResults: undefined } as unknown as SuiClientTypes.SimulateTransactionResult<Include>;
  }

  async executeTransaction<Include extends SuiClientTypes.TransactionInclude = {}>(options: SuiClientTypes.ExecuteTransactionOptions<Include>): Promise<SuiClientTypes.TransactionResult<Include>> {
    this.record('executeTransaction', options);
    const data = Transaction.from(options.transaction).getData();
    const signer = await verifyTransactionSignature(options.transaction, options.signatures[0]);
    if (data.sender === null || data.sender === undefined || signer.toSuiAddress() !== normalizeSuiAddress(data.sender)) {
      throw new Error('FakeSuiClient: the transaction is not signed by its sender');
    }
    const digest = TransactionDataBuilder.getDigestFromBytes(options.transaction);
    const executed: ExecutedTransaction = { bytes: options.transaction, data, digest, sender: normalizeSuiAddress(data.sender) };
    this.executed.push(executed);
    const outcome = this.onExecute(executed);
    const result = { $kind: 'Transaction', Transaction: this.transactionResult(digest, { success: true, error: null }, outcome, executed.sender) } as const;
    this.results.set(digest, result);
    this.transactionBytes.set(digest, options.transaction);
    return result as unknown as SuiClientTypes.TransactionResult<Include>;
  }

  async getTransaction<Include extends SuiClientTypes.TransactionInclude = {}>(options: SuiClientTypes.GetTransactionOptions<Include>): Promise<SuiClientTypes.TransactionResult<Include>> {
    this.record('getTransaction', options);
    const result = this.results.get(options.digest);
    // As the SDK's transports report an unknown digest.
    if (result === undefined) throw new TransactionError('notFound', options.digest);
    const facts = this.transactionFacts.get(options.digest);
    const transaction = {
      ...(result.$kind === 'Transaction' ? result.Transaction : result.FailedTransaction),
      timestampMs: facts?.timestampMs ?? null,
      balanceChanges: options.include?.balanceChanges ? [...(facts?.balanceChanges ?? [])] : undefined,
      bcs: options.include?.bcs ? this.transactionBytes.get(options.digest) : undefined,
    };
    const failed = facts?.failed === true;
    return (failed ? { $kind: 'FailedTransaction', FailedTransaction: transaction } : { $kind: 'Transaction', Transaction: transaction }) as unknown as SuiClientTypes.TransactionResult<Include>;
  }

  /** A transaction the node knows without having executed it here (a system transaction, say); returns its digest. */
  addTransaction(bytes: Uint8Array, facts: TransactionFacts): string {
    const digest = TransactionDataBuilder.getDigestFromBytes(bytes);
    const status: SuiClientTypes.ExecutionStatus = { success: true, error: null };
    this.results.set(digest, { $kind: 'Transaction', Transaction: this.transactionResult(digest, status, {}) });
    this.transactionBytes.set(digest, bytes);
    this.transactionFacts.set(digest, facts);
    return digest;
  }

  resolveTransactionPlugin(): TransactionPlugin {
    // No transport-specific resolver: the SDK then uses its transport-neutral one, which is what runs here.
    return undefined as unknown as TransactionPlugin;
  }

  private transactionResult(digest: string, status: SuiClientTypes.ExecutionStatus, outcome: ExecutionOutcome, sender = normalizeSuiAddress('0x0')): SuiClientTypes.Transaction<{ effects: true; events: true }> {
    const changedObjects: SuiClientTypes.ChangedObject[] = (outcome.created ?? []).map((objectId) => ({
      objectId,
      inputState: 'DoesNotExist',
      inputVersion: null,
      inputDigest: null,
      inputOwner: null,
      outputState: 'ObjectWrite',
      outputVersion: '10',
      outputDigest: fakeDigest(),
      outputOwner: null,
      idOperation: 'Created',
    }));
    const events = (outcome.events ?? []).map((event) => {
      const [packageId, module] = event.eventType.split('::');
      return { packageId, module, sender, eventType: event.eventType, bcs: event.bcs, json: null };
    });
    return {
      digest,
      signatures: [],
      epoch: '900',
      timestampMs: null,
      checkpoint: null,
      status,
      balanceChanges: undefined,
      effects: {
        bcs: null,
        version: 2,
        status,
        gasUsed: FAKE_GAS_USED,
        transactionDigest: digest,
        gasObject: null,
        eventsDigest: null,
        dependencies: [],
        lamportVersion: null,
        changedObjects,
        unchangedConsensusObjects: [],
        auxiliaryDataDigest: null,
      },
      events,
      objectTypes: undefined,
      transaction: undefined,
      bcs: undefined,
    };
  }

  listBalances(): Promise<SuiClientTypes.ListBalancesResponse> {
    return notUsed('listBalances');
  }
  getCoinMetadata(): Promise<SuiClientTypes.GetCoinMetadataResponse> {
    return notUsed('getCoinMetadata');
  }
  getProtocolConfig(): Promise<SuiClientTypes.GetProtocolConfigResponse> {
    return notUsed('getProtocolConfig');
  }
  listDynamicFields(): Promise<SuiClientTypes.ListDynamicFieldsResponse> {
    return notUsed('listDynamicFields');
  }
  listTransactions<Include extends SuiClientTypes.TransactionInclude = {}>(): Promise<SuiClientTypes.ListTransactionsResponse<Include>> {
    return notUsed('listTransactions');
  }
  listEvents(): Promise<SuiClientTypes.ListEventsResponse> {
    return notUsed('listEvents');
  }
  verifyZkLoginSignature(): Promise<SuiClientTypes.ZkLoginVerifyResponse> {
    return notUsed('verifyZkLoginSignature');
  }
  defaultNameServiceName(): Promise<SuiClientTypes.DefaultNameServiceNameResponse> {
    return notUsed('defaultNameServiceName');
  }
  resolveNameServiceAddress(): Promise<SuiClientTypes.ResolveNameServiceAddressResponse> {
    return notUsed('resolveNameServiceAddress');
  }
}

/** A Move abort as a simulation reports it, for `simulationFailure`. */
export function moveAbort(pkg: string, module: string, functionName: string, abortCode: number, constantName?: string): SuiClientTypes.ExecutionError {
  return {
    $kind: 'MoveAbort',
    message: `MoveAbort in ${module}::${functionName} with code ${abortCode}`,
    MoveAbort: { abortCode: String(abortCode), location: { package: pkg, module, functionName }, cleverError: constantName === undefined ? undefined : { constantName } },
  } as SuiClientTypes.ExecutionError;
}
