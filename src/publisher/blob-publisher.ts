/**
 * The store flow behind `PUT /v1/blobs` (issue #5; docs/protocol.md §5.2–§5.3, §6): encode; ask
 * the nodes for the blob's status and answer `alreadyCertified` without paying when it is certified
 * long enough; otherwise reuse a registration a failed earlier PUT paid for, or reserve + register
 * in one transaction from a sub-wallet; upload to every node; certify with a quorum certificate;
 * answer. Nothing half-done is reported as success.
 */
import { setMaxListeners } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { InsufficientBalanceError, InvalidEpochsAheadError, type BlobObject, type ChainClient, type SystemState } from '../chain/chain-client.ts';
import { registrationCost } from '../chain/storage-cost.ts';
import { blobIdToString, parseBlobId } from '../codec/blob-id.ts';
import type { BlobCodec } from '../codec/blob-codec.ts';
import type { EncodedSlivers } from '../codec/encoder.ts';
import type { BlobFile } from '../codec/file-encoder.ts';
import { encodeQuiltPatchId, encodeQuiltV1, QUILT_BLOB_ATTRIBUTES, QuiltError, type EncodedQuilt, type QuiltInput } from '../codec/quilt.ts';
import { MalformedRequestError, PayloadTooLargeError } from '../errors/gateway-errors.ts';
import { fetchBlobStatus } from '../nodes/blob-status-quorum.ts';
import { QuorumNotReachedError, uploadBlob, type UploadRequest, type UploadResult } from '../nodes/blob-upload.ts';
import { certificateQuorumWeight, type CommitteeView, type ReadCommittee } from '../nodes/committee-view.ts';
import type { NodeBlobStatus } from '../nodes/node-responses.ts';
import { ChainWriteFailedError, InsufficientConfirmationsError, InvalidPublisherQueryError, NodesUnavailableError } from './publisher-errors.ts';
import { EPOCHS_MAX, postStoreAction, type StoreParams } from './publisher-query.ts';
import type { StoreMetrics } from './store-metrics.ts';
import { blobObjectJson, storedBlobId, type BlobStoreResultJson, type QuiltStoreResultJson, type ResourceOperationJson } from './store-responses.ts';
import type { SubWallet, WalletPool } from './wallets.ts';

export interface BlobPublisherOptions {
  readonly chain: ChainClient;
  /** Where blobs are encoded (inline or on codec workers); spooled blobs from their file. */
  readonly codec: BlobCodec;
  readonly wallets: WalletPool;
  /** The write committee; its node pools are the publisher's own. */
  readonly committees: CommitteeView;
  readonly metrics: StoreMetrics;
  readonly log: FastifyBaseLogger;
  readonly nodeConcurrency?: number;
  /** Bytes a spooled blob's encode reads at a time (`--spool-stripe-size`); default file-encoder.ts's. */
  readonly spoolStripeBytes?: number;
}

/** One store after its encode: what every later step (status, registration, upload, certify) needs. */
interface StoreJob {
  readonly encoded: EncodedSlivers;
  readonly params: StoreParams;
  /** Epochs ahead, `max` resolved. */
  readonly epochs: number;
  readonly read: ReadCommittee;
  readonly state: SystemState;
  readonly signal: AbortSignal;
  /** Put on a Blob object this store registers. */
  readonly attributes: Readonly<Record<string, string>> | undefined;
}

/** A registration to pay for or reuse, with the sub-wallet that owns it. */
interface Registration {
  readonly wallet: SubWallet;
  readonly blob: BlobObject;
  readonly operation: ResourceOperationJson;
  readonly cost: bigint;
}

/** Repair rows up to this size are kept from the encode; above it they are regenerated in chunks. */
const MIN_REPAIR_ROW_BUDGET = 64 * 1024 * 1024;

/**
 * Half the blob (or 64 MiB) of repair rows at a time: with the blob and its repair columns (half a
 * blob at large n), a PUT then needs about twice the blob instead of 3.5 times. Small blobs, whose
 * repair rows fit, pay nothing for it.
 */
export function repairRowBudget(blobLength: number): number {
  return Math.max(MIN_REPAIR_ROW_BUDGET, blobLength / 2);
}

export class BlobPublisher {
  /** Aborted on close: stragglers finishing uploads in the background stop then. */
  private readonly background = new AbortController();
  /** PUTs of the same blob run one after another, so the second sees the first's result (no double payment). */
  private readonly sameBlob = new Map<string, Promise<unknown>>();
  constructor(private readonly options: BlobPublisherOptions) {
    // Every upload with stragglers still running listens for shutdown; more than ten at once is normal.
    setMaxListeners(0, this.background.signal);
  }

  get mainWallet(): string {
    return this.options.wallets.mainAddress;
  }

  get subWallets(): readonly SubWallet[] {
    return this.options.wallets.subWallets;
  }

  /**
   * Lays `inputs` out as a QuiltV1 blob for the current committee's shard count (docs/protocol.md
   * §2.7). A quilt that cannot be built is the caller's mistake (400), found before anything is paid.
   */
  async encodeQuilt(inputs: readonly QuiltInput[], signal: AbortSignal): Promise<EncodedQuilt> {
    const read = await this.options.committees.get(signal);
    try {
      return encodeQuiltV1(inputs, read.params);
    } catch (error) {
      if (error instanceof QuiltError) throw new MalformedRequestError(`failed to construct quilt: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** Stores a quilt as one blob marked `_walrusBlobType: quilt`, as the reference, and names each patch's ID. */
  async storeQuilt(quilt: EncodedQuilt, params: StoreParams, signal: AbortSignal): Promise<QuiltStoreResultJson> {
    const { metrics } = this.options;
    let result;
    try {
      result = await this.store(quilt.bytes, params, signal, QUILT_BLOB_ATTRIBUTES);
    } catch (error) {
      metrics.quiltStores.inc({ outcome: 'failed' });
      throw error;
    }
    metrics.quiltStores.inc({ outcome: Object.keys(result)[0] });
    metrics.quiltPatches.inc(quilt.patches.length);
    const quiltId = parseBlobId(storedBlobId(result));
    return {
      blobStoreResult: result,
      storedQuiltBlobs: quilt.patches.map((patch) => ({ identifier: patch.identifier, quiltPatchId: encodeQuiltPatchId(quiltId, patch.startColumn, patch.endColumn) })),
    };
  }

  /** Stores `blob`; `attributes` go on a Blob object this store registers (a reused one has them already). */
  async store(blob: Uint8Array, params: StoreParams, signal: AbortSignal, attributes?: Readonly<Record<string, string>>): Promise<BlobStoreResultJson> {
    return this.storeEncoding(blob.length, (read) => this.options.codec.encode(blob, read.params, { repairRowBudget: repairRowBudget(blob.length) }, signal), params, signal, attributes);
  }

  /**
   * Stores the blob held in the first `length` bytes of `file` (a spooled request body), encoded
   * from the file stripe by stripe so that memory stays bounded; its slivers are written into the
   * file and read back as they are sent. The upload holds the file while nodes may still read it.
   */
  async storeSpooled(file: BlobFile, length: number, params: StoreParams, signal: AbortSignal): Promise<BlobStoreResultJson> {
    this.options.metrics.spooledStores.inc();
    return this.storeEncoding(length, (read) => this.options.codec.encodeFile(file, length, read.params, { stripeBytes: this.options.spoolStripeBytes, signal }), params, signal, undefined);
  }

  private async storeEncoding(
    length: number,
    encode: (read: ReadCommittee) => EncodedSlivers | Promise<EncodedSlivers>,
    params: StoreParams,
    signal: AbortSignal,
    attributes: Readonly<Record<string, string>> | undefined,
  ): Promise<BlobStoreResultJson> {
    const { metrics } = this.options;
    const [read, state] = await Promise.all([this.options.committees.get(signal), this.options.chain.getSystemState({ signal })]);
    const epochs = params.epochs === EPOCHS_MAX ? state.maxEpochsAhead : params.epochs;
    if (epochs > state.maxEpochsAhead) throw new InvalidPublisherQueryError(`epochs must be at most ${state.maxEpochsAhead} (the system's maximum epochs ahead), got ${epochs}`);
    // Operators raise --max-body-size for large blobs; past what the shard count can encode is still the client's mistake.
    if (length > read.params.maxBlobSize) throw new PayloadTooLargeError(`the blob of ${length} bytes is larger than the ${read.params.maxBlobSize} bytes this network's encoding can take`);
    const encoded = await metrics.time('encode', () => encode(read));
    const key = `${blobIdToString(encoded.blobId)}:${params.deletable}`;
    const previous = this.sameBlob.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.storeEncoded({ encoded, params, epochs, read, state, signal, attributes }));
    this.sameBlob.set(key, run);
    try {
      const result = await run;
      metrics.stores.inc({ outcome: Object.keys(result)[0] === 'alreadyCertified' ? 'alreadyCertified' : 'newlyCreated' });
      return result;
    } catch (error) {
      metrics.stores.inc({ outcome: 'failed' });
      throw error;
    } finally {
      if (this.sameBlob.get(key) === run) this.sameBlob.delete(key);
    }
  }

  private async storeEncoded(job: StoreJob): Promise<BlobStoreResultJson> {
    const { encoded, params, epochs, read, state, signal } = job;
    const { metrics, chain } = this.options;
    const blobId = blobIdToString(encoded.blobId);
    const requiredEnd = state.epoch.epoch + epochs;
    // Nodes holding a certificate quorum of shards must answer before anything is paid: a write
    // they cannot confirm is refused for free rather than paid for and then failed.
    const quorumWeight = certificateQuorumWeight(read.committee);
    const { status, answeredWeight } = await metrics.time('status', () => fetchBlobStatus(read, encoded.blobId, signal, { untilAnsweredWeight: quorumWeight }));
    if (!status) throw new NodesUnavailableError('the storage nodes did not agree on the blob status');
    if (answeredWeight < quorumWeight) {
      throw new NodesUnavailableError(`nodes holding ${answeredWeight} of ${read.committee.nShards} shards answered, a certificate needs ${quorumWeight}`);
    }
    if (!params.force) {
      const certified = await this.alreadyCertified(blobId, status, params, requiredEnd, signal);
      if (certified) return certified;
    }
    const registration = (status.kind === 'nonexistent' ? undefined : await this.reusableRegistration(job, requiredEnd)) ?? (await metrics.time('register', () => this.register(job)));

    const upload = await uploadToQuorum({
      committee: read,
      encoded,
      deletableObjectId: params.deletable ? registration.blob.id : null,
      signal,
      background: this.background.signal,
      nodeConcurrency: this.options.nodeConcurrency,
    });
    metrics.stageSeconds.observe({ stage: 'upload' }, upload.uploadSeconds);
    metrics.stageSeconds.observe({ stage: 'confirmations' }, upload.confirmationSeconds);

    const certified = await metrics.time('certify', () =>
      chain
        .certifyBlob(registration.wallet.keypair, { blobObjectId: registration.blob.id, certificate: upload.certificate, postStore: postStoreAction(params, this.mainWallet) }, { signal })
        .catch((error: unknown) => {
          throw chainFailure(error);
        }),
    );
    this.options.log.info({ blobId, objectId: certified.blobObject.id, signedWeight: upload.signedWeight, operation: Object.keys(registration.operation)[0] }, 'blob certified');
    return {
      newlyCreated: {
        blobObject: blobObjectJson(certified.blobObject),
        resourceOperation: registration.operation,
        cost: Number(registration.cost),
        ...(certified.sharedBlobObjectId ? { sharedBlobObject: certified.sharedBlobObjectId } : {}),
      },
    };
  }

  /**
   * Certified long enough already: a permanent blob by its status event (any persistence asked will
   * do, the data stays available); a deletable one only when the main wallet owns a certified object
   * and the caller did not ask for an object of their own.
   */
  private async alreadyCertified(blobId: string, status: NodeBlobStatus, params: StoreParams, requiredEnd: number, signal: AbortSignal): Promise<BlobStoreResultJson | undefined> {
    if (status.kind === 'permanent' && status.isCertified && status.statusEvent && (status.endEpoch ?? 0) >= requiredEnd) {
      return { alreadyCertified: { blobId, event: status.statusEvent, endEpoch: status.endEpoch! } };
    }
    if (status.kind === 'nonexistent' || !params.deletable || params.share || params.sendObjectTo !== null) return undefined;
    const owned = await this.options.chain.getOwnedBlobObjects(this.mainWallet, { blobId }, { signal });
    const object = owned.find((blob) => blob.deletable && blob.certifiedEpoch !== null && blob.storage.endEpoch >= requiredEnd);
    return object ? { alreadyCertified: { blobId, object: object.id, endEpoch: object.storage.endEpoch } } : undefined;
  }

  /** A registered, uncertified Blob a sub-wallet still owns from an earlier PUT that failed after paying. */
  private async reusableRegistration({ encoded, params, read, state, signal }: StoreJob, requiredEnd: number): Promise<Registration | undefined> {
    const blobId = blobIdToString(encoded.blobId);
    const encodedLength = read.params.encodedLength(encoded.metadata.unencodedLength);
    const owned = await Promise.all(this.options.wallets.subWallets.map((wallet) => this.options.chain.getOwnedBlobObjects(wallet.address, { blobId }, { signal })));
    for (const [i, blobs] of owned.entries()) {
      const blob = blobs.find(
        (candidate) =>
          candidate.certifiedEpoch === null &&
          candidate.deletable === params.deletable &&
          candidate.storage.endEpoch >= requiredEnd &&
          candidate.storage.endEpoch > state.epoch.epoch &&
          candidate.storage.storageSize >= encodedLength,
      );
      if (blob) return { wallet: this.options.wallets.subWallets[i], blob, operation: { reuseRegistration: { encodedLength } }, cost: 0n };
    }
    return undefined;
  }

  /** Reserve + register in one transaction from the next sub-wallet, topping it up once if it runs short. */
  private async register({ encoded, params, epochs, read, state, signal, attributes }: StoreJob): Promise<Registration> {
    const wallet = this.options.wallets.nextWallet();
    const size = encoded.metadata.unencodedLength;
    const encodedLength = read.params.encodedLength(size);
    const request = { blobId: blobIdToString(encoded.blobId), rootHash: encoded.rootHash, size, encodedLength, epochs, deletable: params.deletable, attributes };
    const cost = registrationCost(state.prices, encodedLength, encodedLength, epochs).total;
    let result;
    try {
      result = await this.options.chain.registerBlob(wallet.keypair, request, { signal });
    } catch (error) {
      if (!(error instanceof InsufficientBalanceError)) throw chainFailure(error);
      this.options.log.info({ wallet: wallet.address, cost: String(cost) }, 'sub-wallet short of WAL; topping it up');
      await this.options.wallets.fund(wallet, cost, signal).catch((fundError: unknown) => {
        throw chainFailure(fundError);
      });
      result = await this.options.chain.registerBlob(wallet.keypair, request, { signal }).catch((retryError: unknown) => {
        throw chainFailure(retryError);
      });
    }
    this.options.metrics.walSpent.inc(Number(result.cost.total));
    return { wallet, blob: result.blobObject, operation: { registerFromScratch: { encodedLength, epochsAhead: epochs } }, cost: result.cost.total };
  }

  /** Stops background uploads and closes the write committee's node pools. */
  async close(): Promise<void> {
    this.background.abort(new Error('the publisher is shutting down'));
    this.options.wallets.close();
    await this.options.committees.close(true);
  }
}

/**
 * The write fan-out, a missed quorum answered as the reference does (504, retry later): the
 * publisher's and the upload relay's.
 */
export async function uploadToQuorum(request: UploadRequest): Promise<UploadResult> {
  try {
    return await uploadBlob(request);
  } catch (error) {
    if (error instanceof QuorumNotReachedError) throw new InsufficientConfirmationsError(error.message, { cause: error });
    throw error;
  }
}

/** Chain errors the client or operator can act on become gateway errors; the rest go on to http/errors.ts. */
function chainFailure(error: unknown): unknown {
  if (error instanceof InvalidEpochsAheadError) return new InvalidPublisherQueryError(error.message);
  // A wallet short of funds is the operator's to fix: say so. An outage is mapped with the other
  // chain errors in http/errors.ts (503, without the RPC endpoint's words).
  if (error instanceof InsufficientBalanceError) return new ChainWriteFailedError(error.message, { cause: error });
  return error;
}
