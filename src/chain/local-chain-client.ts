import { randomBytes } from 'node:crypto';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { Pool } from 'undici';
import { ENCODING_TYPE_RS2 } from '../codec/params.ts';
import type { LedgerErrorReason } from '../local/ledger/errors.ts';
import type {
  BalanceJson,
  BlobObjectJson,
  EpochJson,
  FaucetResponseJson,
  NetworkJson,
  OwnedBlobsJson,
  TransactionLookupJson,
  TransactionResponseJson,
} from '../local/ledger/wire-json.ts';
import type { SignedTransactionJson, TransactionCallJson, TransactionPayloadJson } from '../local/ledger/wire-transactions.ts';
import type {
  BlobObject,
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
  RegisterBlobRequest,
  RegisterBlobResult,
  Signer,
  SuiAddress,
  SystemState,
  TransactionDetails,
  TransactionReceipt,
} from './chain-client.ts';
import {
  BlobAlreadyCertifiedError,
  BlobExpiredError,
  BlobIdMismatchError,
  BlobNotCertifiedError,
  BlobNotDeletableError,
  CertificateBelowQuorumError,
  CertificateEpochMismatchError,
  CertificateMismatchError,
  type ChainError,
  ChainUnavailableError,
  InsufficientBalanceError,
  InvalidCertificateSignatureError,
  InvalidChainResponseError,
  InvalidEpochsAheadError,
  InvalidSignersBitmapError,
  InvalidTransactionError,
  InvalidTransactionSignatureError,
  NotObjectOwnerError,
  ObjectNotFoundError,
  StorageTooSmallError,
  TransactionExpiredError,
  TransactionNotFoundError,
  UnsupportedEncodingTypeError,
} from './chain-errors.ts';
import { blobEventFromJson, blobObjectFromJson, decimal, storageFromJson, systemStateFromNetwork, transactionDetailsFromJson } from './local-ledger-decoding.ts';

export const DEFAULT_TRANSACTION_VALIDITY_MS = 60_000;
export const DEFAULT_LEDGER_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_LEDGER_CONNECTIONS = 16;
/** Bytes of randomness in a transaction nonce. */
const NONCE_BYTES = 16;

export interface LocalChainClientOptions {
  /** Base URL of the local ledger, e.g. `http://127.0.0.1:40123`. */
  readonly ledgerUrl: string;
  /** How long a signed transaction stays valid (the ledger caps this at 10 minutes). */
  readonly transactionValidityMs?: number;
  readonly requestTimeoutMs?: number;
  readonly connections?: number;
}

/** The chain client of the embedded local network: an HTTP client of the local ledger. */
export class LocalChainClient implements ChainClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly transactionValidityMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: LocalChainClientOptions) {
    const url = new URL(options.ledgerUrl);
    this.pool = new Pool(url.origin, { connections: options.connections ?? DEFAULT_LEDGER_CONNECTIONS });
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.transactionValidityMs = options.transactionValidityMs ?? DEFAULT_TRANSACTION_VALIDITY_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_LEDGER_REQUEST_TIMEOUT_MS;
  }

  async getSystemState(options?: CallOptions): Promise<SystemState> {
    return systemStateFromNetwork(await this.request<NetworkJson>('GET', '/v1/network', undefined, options));
  }

  async getBalance(address: SuiAddress, options?: CallOptions): Promise<bigint> {
    const json = await this.request<BalanceJson>('GET', `/v1/accounts/${normalizeSuiAddress(address)}`, undefined, options);
    return decimal(json.balance, 'balance');
  }

  /** The local ledger charges no gas. */
  async getGasBalance(_address: SuiAddress, _options?: CallOptions): Promise<null> {
    return null;
  }

  async getBlobObject(objectId: ObjectId, options?: CallOptions): Promise<BlobObject | null> {
    try {
      return blobObjectFromJson(await this.request<BlobObjectJson>('GET', `/v1/blob-objects/${normalizeSuiAddress(objectId)}`, undefined, options));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  }

  async getOwnedBlobObjects(owner: SuiAddress, filter?: OwnedBlobFilter, options?: CallOptions): Promise<BlobObject[]> {
    const query = filter?.blobId === undefined ? '' : `?blobId=${encodeURIComponent(filter.blobId)}`;
    const json = await this.request<OwnedBlobsJson>('GET', `/v1/accounts/${normalizeSuiAddress(owner)}/blob-objects${query}`, undefined, options);
    return json.blobObjects.map(blobObjectFromJson);
  }

  async registerBlob(signer: Signer, request: RegisterBlobRequest, options?: CallOptions): Promise<RegisterBlobResult> {
    const response = await this.execute(
      signer,
      {
        kind: 'registerBlob',
        blobId: request.blobId,
        rootHash: Buffer.from(request.rootHash).toString('base64'),
        size: request.size,
        encodingType: ENCODING_TYPE_RS2,
        storageSize: request.encodedLength,
        epochsAhead: request.epochs,
        deletable: request.deletable,
        attributes: { ...request.attributes },
      },
      options,
    );
    const storage = decimal(response.charges.storage, 'storage charge');
    const write = decimal(response.charges.write, 'write charge');
    return { ...receipt(response), blobObject: blobObjectFromJson(response.blobObject), cost: { storage, write, total: storage + write } };
  }

  async certifyBlob(signer: Signer, request: CertifyBlobRequest, options?: CallOptions): Promise<CertifyBlobResult> {
    const postStore = request.postStore ?? { kind: 'keep' };
    const response = await this.execute(
      signer,
      {
        kind: 'certifyBlob',
        blobObjectId: normalizeSuiAddress(request.blobObjectId),
        signature: Buffer.from(request.certificate.signature).toString('base64'),
        signersBitmap: Buffer.from(request.certificate.signersBitmap).toString('base64'),
        message: Buffer.from(request.certificate.message).toString('base64'),
        postStore: postStore.kind === 'transfer' ? { kind: 'transfer', recipient: normalizeSuiAddress(postStore.recipient) } : postStore,
      },
      options,
    );
    return { ...receipt(response), blobObject: blobObjectFromJson(response.blobObject), sharedBlobObjectId: response.sharedBlobObjectId };
  }

  async extendBlob(signer: Signer, request: ExtendBlobRequest, options?: CallOptions): Promise<ExtendBlobResult> {
    const response = await this.execute(
      signer,
      { kind: 'extendBlob', blobObjectId: normalizeSuiAddress(request.blobObjectId), extendedEpochs: request.extendedEpochs },
      options,
    );
    return { ...receipt(response), blobObject: blobObjectFromJson(response.blobObject), cost: decimal(response.charges.storage, 'storage charge') };
  }

  async deleteBlob(signer: Signer, request: DeleteBlobRequest, options?: CallOptions): Promise<DeleteBlobResult> {
    const response = await this.execute(signer, { kind: 'deleteBlob', blobObjectId: normalizeSuiAddress(request.blobObjectId) }, options);
    return { ...receipt(response), storage: storageFromJson(response.storage) };
  }

  /** Only the WAL moves: the local ledger has no gas coin. */
  async fundWallet(signer: Signer, request: FundWalletRequest, options?: CallOptions): Promise<TransactionReceipt | null> {
    if (request.wal === 0n) return null;
    const call: TransactionCallJson = { kind: 'transferWal', recipient: normalizeSuiAddress(request.recipient), amount: String(request.wal) };
    return receipt(await this.execute(signer, call, options));
  }

  async getTransaction(digest: string, options?: CallOptions): Promise<TransactionDetails | null> {
    // Not a digest: no transaction can have it (and it must not reach the ledger's URL unescaped).
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(digest)) return null;
    try {
      return transactionDetailsFromJson(await this.request<TransactionLookupJson>('GET', `/v1/transactions/${digest}`, undefined, options));
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Local networks only: sends WAL with pure inputs on record, as a Sui PTB that transfers a coin
   * and carries an upload relay's tip authentication as its first input (the ledger has no SUI, so
   * tips on it are paid in WAL).
   */
  async transferWal(signer: Signer, request: { readonly recipient: SuiAddress; readonly amount: bigint; readonly pureInputs?: readonly Uint8Array[] }, options?: CallOptions): Promise<TransactionReceipt> {
    const call: TransactionCallJson = { kind: 'transferWal', recipient: normalizeSuiAddress(request.recipient), amount: String(request.amount) };
    return receipt(await this.execute(signer, call, options, request.pureInputs));
  }

  /** Local networks only: mints `amount` FROST to `address` from the ledger's development faucet. */
  async requestFaucet(address: SuiAddress, amount: bigint, options?: CallOptions): Promise<bigint> {
    const body = { address: normalizeSuiAddress(address), amount: String(amount) };
    const json = await this.request<FaucetResponseJson>('POST', '/v1/faucet', body, options);
    return decimal(json.balance, 'balance');
  }

  /** Local networks only (tests): starts the next epoch now. */
  async advanceEpoch(options?: CallOptions): Promise<number> {
    return (await this.request<EpochJson>('POST', '/v1/admin/advance-epoch', undefined, options)).epoch;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Signs the call as a Sui personal message with a fresh nonce and expiry, and submits it. */
  private async execute(signer: Signer, call: TransactionCallJson, options?: CallOptions, pureInputs: readonly Uint8Array[] = []): Promise<TransactionResponseJson> {
    options?.signal?.throwIfAborted();
    const payload: TransactionPayloadJson = {
      version: 1,
      sender: signer.toSuiAddress(),
      nonce: randomBytes(NONCE_BYTES).toString('hex'),
      expiresAtMs: Date.now() + this.transactionValidityMs,
      call,
      ...(pureInputs.length > 0 ? { pureInputs: pureInputs.map((bytes) => Buffer.from(bytes).toString('base64')) } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
    const { signature } = await signer.signPersonalMessage(bytes);
    const body: SignedTransactionJson = { transaction: bytes.toString('base64'), signature };
    return this.request<TransactionResponseJson>('POST', '/v1/transactions', body, options);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: object | undefined, options?: CallOptions): Promise<T> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let statusCode: number;
    let text: string;
    try {
      const response = await this.pool.request({
        method,
        path: this.basePath + path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      if (options?.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) throw new ChainUnavailableError(`the ledger did not answer ${method} ${path} within ${this.requestTimeoutMs} ms`, { cause: error });
      throw new ChainUnavailableError(`the ledger could not be reached for ${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidChainResponseError(`the ledger answered ${method} ${path} with HTTP ${statusCode} and no JSON`, { cause: error });
    }
    if (statusCode >= 200 && statusCode < 300) return json as T;
    throw chainErrorFromLedgerBody(statusCode, json);
  }
}

function receipt(response: TransactionResponseJson): TransactionReceipt {
  return { digest: response.digest, events: response.events.map(blobEventFromJson) };
}

type ErrorFactory = (message: string, metadata: Readonly<Record<string, string>>) => ChainError;

/** Every ledger refusal as the chain error it means; the compiler insists every reason is covered. */
const CHAIN_ERROR_BY_REASON: Record<LedgerErrorReason, ErrorFactory> = {
  INSUFFICIENT_BALANCE: (message, metadata) => new InsufficientBalanceError(message, optionalAmount(metadata.required), optionalAmount(metadata.available)),
  INVALID_EPOCHS_AHEAD: (message) => new InvalidEpochsAheadError(message),
  BLOB_ID_MISMATCH: (message) => new BlobIdMismatchError(message),
  STORAGE_TOO_SMALL: (message) => new StorageTooSmallError(message),
  UNSUPPORTED_ENCODING_TYPE: (message) => new UnsupportedEncodingTypeError(message),
  INVALID_SIGNERS_BITMAP: (message) => new InvalidSignersBitmapError(message),
  CERTIFICATE_BELOW_QUORUM: (message) => new CertificateBelowQuorumError(message),
  INVALID_CERTIFICATE_SIGNATURE: (message) => new InvalidCertificateSignatureError(message),
  CERTIFICATE_EPOCH_MISMATCH: (message) => new CertificateEpochMismatchError(message),
  CERTIFICATE_MISMATCH: (message) => new CertificateMismatchError(message),
  BLOB_ALREADY_CERTIFIED: (message) => new BlobAlreadyCertifiedError(message),
  BLOB_NOT_CERTIFIED: (message) => new BlobNotCertifiedError(message),
  BLOB_EXPIRED: (message) => new BlobExpiredError(message),
  BLOB_NOT_DELETABLE: (message) => new BlobNotDeletableError(message),
  OBJECT_NOT_FOUND: (message) => new ObjectNotFoundError(message),
  TRANSACTION_NOT_FOUND: (message) => new TransactionNotFoundError(message),
  NOT_OBJECT_OWNER: (message) => new NotObjectOwnerError(message),
  INVALID_TRANSACTION: (message) => new InvalidTransactionError(message),
  INVALID_TRANSACTION_SIGNATURE: (message) => new InvalidTransactionSignatureError(message),
  TRANSACTION_EXPIRED: (message) => new TransactionExpiredError(message),
  INVALID_REQUEST: (message) => new InvalidTransactionError(message),
  ROUTE_NOT_FOUND: (message) => new InvalidChainResponseError(`the ledger does not serve this route (${message})`),
  LOOPBACK_ONLY: (message) => new ChainUnavailableError(message),
  LEDGER_UNAVAILABLE: (message) => new ChainUnavailableError(message),
  INTERNAL: (message) => new ChainUnavailableError(message),
};

/** The chain error a ledger error response (AIP-193 body, `ledger.walrus.local` reasons) stands for. */
export function chainErrorFromLedgerBody(statusCode: number, json: unknown): ChainError {
  const error = (json as { error?: { message?: unknown; details?: { reason?: unknown; metadata?: Record<string, string> }[] } } | null)?.error;
  const detail = error?.details?.[0];
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${statusCode}`;
  const reason = detail?.reason;
  if (typeof reason === 'string' && Object.hasOwn(CHAIN_ERROR_BY_REASON, reason)) {
    return CHAIN_ERROR_BY_REASON[reason as LedgerErrorReason](message, detail?.metadata ?? {});
  }
  if (statusCode >= 500) return new ChainUnavailableError(`the ledger failed: ${message}`);
  return new InvalidChainResponseError(`the ledger answered HTTP ${statusCode} with an unknown error: ${message}`);
}

function optionalAmount(value: string | undefined): bigint | null {
  return value !== undefined && /^[0-9]+$/.test(value) ? BigInt(value) : null;
}
