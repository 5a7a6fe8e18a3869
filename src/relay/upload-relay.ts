/**
 * The upload relay (issue #16; the reference's `crates/walrus-upload-relay`): a client that
 * registered a blob on chain posts its bytes; the relay checks the tip (if it charges one), that
 * the blob is registered as the query says, encodes it, checks the blob ID, fans the slivers out
 * with the publisher's upload and answers the confirmation certificate, which the client submits
 * itself. The relay pays for nothing and signs nothing: it owns no wallet.
 *
 * Every check that can refuse runs before the first byte goes to a storage node, cheapest first:
 * query and tip parameters (before the body is read), the tip transaction, the registration,
 * then the encode and the blob ID.
 */
import { setMaxListeners } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { ChainClient } from '../chain/chain-client.ts';
import { equalBytes } from '../codec/bytes.ts';
import type { BlobCodec } from '../codec/blob-codec.ts';
import { blobIdToString } from '../codec/blob-id.ts';
import { fetchBlobStatus } from '../nodes/blob-status-quorum.ts';
import { certificateQuorumWeight, type CommitteeView, type ReadCommittee } from '../nodes/committee-view.ts';
import { repairRowBudget, uploadToQuorum } from '../publisher/blob-publisher.ts';
import { GatewayError } from '../errors/gateway-errors.ts';
import {
  BlobIdMismatchError,
  BlobIdNotRegisteredError,
  BlobObjectMismatchError,
  DataTooLargeError,
  MissingTxIdOrNonceError,
  RelayNodesUnavailableError,
  TipTransactionError,
} from './relay-errors.ts';
import { RELAYED, type RelayMetrics } from './relay-metrics.ts';
import type { RelayParams } from './relay-query.ts';
import { checkAuthPayload, checkFreshness, checkTipPaid, type FreshnessWindow } from './tip-check.ts';
import { requiredTip, tipConfigJson, type TipConfigJson, type TipPolicy } from './tip-config.ts';

export interface UploadRelayOptions {
  readonly chain: ChainClient;
  /** Where bodies are encoded (inline or on codec workers). */
  readonly codec: BlobCodec;
  /** The relay's own write committee: its node pools and request metrics are the relay's. */
  readonly committees: CommitteeView;
  /** `null`: the relay is free (`no_tip`). */
  readonly tip: TipPolicy | null;
  readonly freshness: FreshnessWindow;
  readonly metrics: RelayMetrics;
  readonly log: FastifyBaseLogger;
  /** The clock tip transactions are judged by; tests move it. */
  readonly now?: () => number;
  readonly nodeConcurrency?: number;
}

/** The reference's `ResponseType`, as its serde writes it. */
export interface RelayResponseJson {
  readonly blob_id: string;
  readonly confirmation_certificate: {
    /** Committee indices of the signers. */
    readonly signers: readonly number[];
    /** The BCS confirmation message, as a JSON array of bytes (serde's `Vec<u8>`). */
    readonly serialized_message: readonly number[];
    /** The aggregate BLS signature, standard base64 (fastcrypto's human-readable form). */
    readonly signature: string;
  };
}

/** The query's tip transaction and nonce, both present. */
interface TipParams {
  readonly txId: string;
  readonly nonce: Uint8Array;
}

export class UploadRelay {
  /** Aborted on close: stragglers still uploading after an answer stop then. */
  private readonly background = new AbortController();
  private readonly now: () => number;

  constructor(private readonly options: UploadRelayOptions) {
    // Every upload with stragglers still running listens for shutdown; more than ten at once is normal.
    setMaxListeners(0, this.background.signal);
    this.now = options.now ?? Date.now;
  }

  get tipConfig(): TipConfigJson {
    return tipConfigJson(this.options.tip);
  }

  /**
   * Relays the blob `readBody` delivers. What the query alone can refuse is refused before the
   * body is read, so a refused client does not get to send (nor the relay to buffer) its bytes.
   */
  async relay(params: RelayParams, readBody: () => Promise<Uint8Array>, signal: AbortSignal): Promise<RelayResponseJson> {
    try {
      const paid = this.tipParams(params);
      const response = await this.relayChecked(await readBody(), params, paid, signal);
      this.options.metrics.requests.inc({ outcome: RELAYED });
      return response;
    } catch (error) {
      this.options.metrics.requests.inc({ outcome: error instanceof GatewayError ? error.code : 'error' });
      throw error;
    }
  }

  private async relayChecked(body: Uint8Array, params: RelayParams, paid: TipParams | null, signal: AbortSignal): Promise<RelayResponseJson> {
    const { metrics } = this.options;
    const read = await this.options.committees.get(signal);
    if (body.length > read.params.maxBlobSize) throw new DataTooLargeError(body.length, read.params.maxBlobSize);
    const { tip } = this.options;
    if (tip !== null && paid !== null) await metrics.time('tip', () => this.checkTip(tip, paid, body, read, signal));
    await metrics.time('registration', () => this.checkRegistration(read, params, body.length, signal));
    const encoded = await metrics.time('encode', () => this.options.codec.encode(body, read.params, { repairRowBudget: repairRowBudget(body.length) }, signal));
    if (!equalBytes(encoded.blobId, params.blobId)) {
      throw new BlobIdMismatchError(`the body encodes to ${blobIdToString(encoded.blobId)}, the query names ${params.blobIdText}`);
    }
    const upload = await uploadToQuorum({
      committee: read,
      encoded,
      deletableObjectId: params.deletableBlobObject ?? null,
      signal,
      background: this.background.signal,
      nodeConcurrency: this.options.nodeConcurrency,
    });
    metrics.stageSeconds.observe({ stage: 'upload' }, upload.uploadSeconds);
    metrics.stageSeconds.observe({ stage: 'confirmations' }, upload.confirmationSeconds);
    this.options.log.info({ blobId: params.blobIdText, signedWeight: upload.signedWeight, deletable: params.deletableBlobObject !== undefined }, 'blob relayed');
    const { certificate } = upload;
    return {
      blob_id: params.blobIdText,
      confirmation_certificate: {
        signers: upload.signers,
        serialized_message: Array.from(certificate.message),
        signature: Buffer.from(certificate.signature).toString('base64'),
      },
    };
  }

  /** The tip transaction and nonce when the relay charges a tip (`null` when it does not); both or the request is refused. */
  private tipParams(params: RelayParams): TipParams | null {
    if (this.options.tip === null) return null;
    const { txId, nonce } = params;
    if (txId === undefined || nonce === undefined) throw new MissingTxIdOrNonceError();
    return { txId, nonce };
  }

  /** The reference's `validate_auth_package`: look the transaction up, then freshness, amount and auth payload. */
  private async checkTip(tip: TipPolicy, { txId, nonce }: TipParams, body: Uint8Array, read: ReadCommittee, signal: AbortSignal): Promise<void> {
    const tx = await this.options.chain.getTransaction(txId, { signal });
    if (tx === null) throw new TipTransactionError('TIP_TRANSACTION_NOT_FOUND', `the chain knows no transaction ${txId}`);
    checkFreshness(tx, this.options.freshness, this.now());
    checkTipPaid(tx, tip, requiredTip(tip.kind, body.length, read.params));
    checkAuthPayload(tx, body, nonce);
  }

  /**
   * The cheapest honest answer to "would the nodes take this blob?": a deletable blob's object is
   * one chain read (it must hold this blob, be deletable and live); a permanent blob has no object
   * to name, so the nodes are asked for its status, as the publisher does before paying — nodes
   * holding a certificate quorum of shards must answer, and more than f shards must vouch for a
   * live permanent registration.
   */
  private async checkRegistration(read: ReadCommittee, params: RelayParams, size: number, signal: AbortSignal): Promise<void> {
    if (params.deletableBlobObject !== undefined) {
      const objectId = params.deletableBlobObject;
      // The epoch from the chain, not the cached committee's: a blob may expire at an epoch change the view has not seen yet.
      const [blob, state] = await Promise.all([this.options.chain.getBlobObject(objectId, { signal }), this.options.chain.getSystemState({ signal })]);
      if (blob === null) throw new BlobIdNotRegisteredError(`no Blob object ${objectId} exists`);
      if (blob.blobId !== params.blobIdText) throw new BlobObjectMismatchError(`the Blob object ${objectId} holds blob ${blob.blobId}, not ${params.blobIdText}`);
      if (!blob.deletable) throw new BlobObjectMismatchError(`the Blob object ${objectId} is permanent; upload it without deletable_blob_object`);
      if (blob.storage.endEpoch <= state.epoch.epoch) throw new BlobIdNotRegisteredError(`the Blob object ${objectId} expired at epoch ${blob.storage.endEpoch}`);
      // A different length is a different blob ID; no need to encode to know.
      if (blob.size !== size) throw new BlobIdMismatchError(`the body is ${size} bytes; blob ${params.blobIdText} is registered with ${blob.size}`);
      return;
    }
    const quorumWeight = certificateQuorumWeight(read.committee);
    const { status, answeredWeight } = await fetchBlobStatus(read, params.blobId, signal, { untilAnsweredWeight: quorumWeight });
    if (!status || answeredWeight < quorumWeight) {
      throw new RelayNodesUnavailableError(`nodes holding ${answeredWeight} of ${read.committee.nShards} shards answered the status check, ${quorumWeight} are needed`);
    }
    if (status.kind === 'deletable') throw new BlobIdNotRegisteredError(`blob ${params.blobIdText} is registered only as deletable; name its object in deletable_blob_object`);
    if (status.kind !== 'permanent') throw new BlobIdNotRegisteredError(`the storage nodes report blob ${params.blobIdText} as ${status.kind}`);
  }

  /** Stops background uploads and closes the relay's node pools. */
  async close(): Promise<void> {
    this.background.abort(new Error('the upload relay is shutting down'));
    await this.options.committees.close(true);
  }
}
