/**
 * The gateway's client of one storage node's REST API (walrus-protocol.md §4.2): metadata, primary
 * slivers and blob status for reads; metadata and sliver PUTs and confirmations for writes. One
 * undici Pool per node, shared by every request to it; every call takes the caller's AbortSignal,
 * and the pool times out a request whose answer does not start, or stalls, within the node
 * timeout. Given the node's on-chain network key, an `https` pool accepts only a certificate
 * carrying that key (§4.1).
 */
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { pinnedConnector } from '../chain/node-tls-pinning.ts';
import { blobIdToString } from '../codec/blob-id.ts';

/** Connections kept per node: enough for a blob's worth of slivers in flight on a 10-node network. */
export const DEFAULT_NODE_CONNECTIONS = 32;
const KEEP_ALIVE_MS = 30_000;
const OCTET_STREAM = 'application/octet-stream';

/** Why a node did not give us what we asked for. */
export type NodeFailureKind = 'notFound' | 'forbidden' | 'unavailable' | 'aborted';

export class NodeRequestError extends Error {
  constructor(
    readonly kind: NodeFailureKind,
    readonly node: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${node}: ${message}`, options);
    this.name = 'NodeRequestError';
  }
}

/** The node's `BlobStatus` reduced to what readers show: lifecycle, certified and end epochs. */
export interface NodeBlobStatus {
  readonly kind: 'nonexistent' | 'invalid' | 'permanent' | 'deletable';
  readonly certifiedEpoch: number | null;
  readonly endEpoch: number | null;
  /** Permanent blobs only: whether a live permanent Blob object is certified (`isCertified`). */
  readonly isCertified?: boolean;
  /** Permanent blobs only: the event behind the reported end epoch (`alreadyCertified.event`). */
  readonly statusEvent?: { readonly txDigest: string; readonly eventSeq: string };
}

/** A storage node's signed confirmation, as sent (walrus-protocol.md §4.5), not yet verified. */
export interface SignedConfirmation {
  readonly serializedMessage: Uint8Array;
  readonly signature: Uint8Array;
}

/** A node's error reason (AIP-193 `details[0].reason`), when the node answered one. */
export class NodeWriteError extends NodeRequestError {
  constructor(
    node: string,
    readonly statusCode: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(failureKind(statusCode), node, message);
    this.name = 'NodeWriteError';
  }
}

export interface StorageNodeClientOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly connections?: number;
  /** The node's on-chain TLS key (33-byte compressed secp256r1); pins connections to an `https` URL. */
  readonly networkPublicKey?: Uint8Array;
}

export interface RequestCounter {
  (kind: 'metadata' | 'sliver' | 'status', outcome: 'ok' | NodeFailureKind): void;
}

export class StorageNodeClient {
  readonly name: string;
  readonly url: string;
  private readonly pool: Pool;

  constructor(
    private readonly options: StorageNodeClientOptions,
    private readonly count: RequestCounter = () => {},
  ) {
    this.name = options.name;
    this.url = options.url;
    const key = options.networkPublicKey;
    const pinning = key !== undefined && new URL(options.url).protocol === 'https:' ? { connect: pinnedConnector(key) } : {};
    // undici's own timers bound each request (no answer, or a stalled body, within timeoutMs): a
    // timeout signal combined with the caller's costs more than the rest of a small request.
    this.pool = new Pool(options.url, {
      connections: options.connections ?? DEFAULT_NODE_CONNECTIONS,
      keepAliveTimeout: KEEP_ALIVE_MS,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...pinning,
    });
  }

  /** BCS `BlobMetadataWithId`, unverified. */
  getMetadata(blobId: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    return this.getBytes('metadata', `/v1/blobs/${blobIdToString(blobId)}/metadata`, signal);
  }

  /** BCS `SliverData` of the primary sliver of pair `pairIndex`, unverified. */
  getPrimarySliver(blobId: Uint8Array, pairIndex: number, signal: AbortSignal): Promise<Uint8Array> {
    return this.getBytes('sliver', `/v1/blobs/${blobIdToString(blobId)}/slivers/${pairIndex}/primary`, signal);
  }

  async getBlobStatus(blobId: Uint8Array, signal: AbortSignal): Promise<NodeBlobStatus> {
    const body = await this.request('status', `/v1/blobs/${blobIdToString(blobId)}/status`, 'application/json', signal);
    const status = parseBlobStatus(JSON.parse(Buffer.from(body).toString('utf8')));
    if (!status) throw new NodeRequestError('unavailable', this.name, 'unrecognised blob status');
    return status;
  }

  /** PUT BCS `BlobMetadata` (without the ID); 200/201 both mean the node holds it. */
  putMetadata(blobId: Uint8Array, metadataBcs: Uint8Array, signal: AbortSignal): Promise<void> {
    return this.write('PUT', `/v1/blobs/${blobIdToString(blobId)}/metadata`, metadataBcs, signal).then(() => undefined);
  }

  /** PUT BCS `SliverData` of pair `pairIndex`. */
  putSliver(blobId: Uint8Array, pairIndex: number, type: 'primary' | 'secondary', sliverBcs: Uint8Array, signal: AbortSignal): Promise<void> {
    return this.write('PUT', `/v1/blobs/${blobIdToString(blobId)}/slivers/${pairIndex}/${type}`, sliverBcs, signal).then(() => undefined);
  }

  /** GET the storage confirmation: permanent, or for the deletable Blob object `objectId`. */
  async getConfirmation(blobId: Uint8Array, objectId: string | null, signal: AbortSignal): Promise<SignedConfirmation> {
    const id = blobIdToString(blobId);
    const path = objectId === null ? `/v1/blobs/${id}/confirmation/permanent` : `/v1/blobs/${id}/confirmation/deletable/${objectId}`;
    const body = await this.write('GET', path, undefined, signal);
    const json = JSON.parse(Buffer.from(body).toString('utf8')) as { success?: { data?: { signed?: { serializedMessage?: unknown; signature?: unknown } } } };
    const signed = json.success?.data?.signed;
    if (typeof signed?.serializedMessage !== 'string' || typeof signed.signature !== 'string') {
      throw new NodeRequestError('unavailable', this.name, `GET ${path}: not a signed confirmation`);
    }
    return { serializedMessage: new Uint8Array(Buffer.from(signed.serializedMessage, 'base64')), signature: new Uint8Array(Buffer.from(signed.signature, 'base64')) };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Cuts open connections at once (a withheld confirmation must not hold up shutdown). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }

  private async write(method: 'GET' | 'PUT', path: string, body: Uint8Array | undefined, signal: AbortSignal): Promise<Uint8Array> {
    try {
      const headers = body ? { 'content-type': OCTET_STREAM, accept: 'application/json' } : { accept: 'application/json' };
      const response = await this.pool.request({ method, path, headers, body, signal });
      const bytes = new Uint8Array(await response.body.arrayBuffer());
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = Buffer.from(bytes).toString('utf8');
        throw new NodeWriteError(this.name, response.statusCode, errorReason(text), `${method} ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
      }
      return bytes;
    } catch (error) {
      if (error instanceof NodeRequestError) throw error;
      throw new NodeRequestError(signal.aborted ? 'aborted' : 'unavailable', this.name, `${method} ${path} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private async getBytes(kind: 'metadata' | 'sliver', path: string, signal: AbortSignal): Promise<Uint8Array> {
    return this.request(kind, path, OCTET_STREAM, signal);
  }

  private async request(kind: 'metadata' | 'sliver' | 'status', path: string, accept: string, signal: AbortSignal): Promise<Uint8Array> {
    try {
      const response = await this.pool.request({ method: 'GET', path, headers: { accept }, signal });
      if (response.statusCode !== 200) {
        const text = await response.body.text();
        throw new NodeRequestError(failureKind(response.statusCode), this.name, `GET ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
      }
      const bytes = new Uint8Array(await response.body.arrayBuffer());
      this.count(kind, 'ok');
      return bytes;
    } catch (error) {
      const failure =
        error instanceof NodeRequestError
          ? error
          : new NodeRequestError(signal.aborted ? 'aborted' : 'unavailable', this.name, `GET ${path} failed: ${(error as Error).message}`, { cause: error });
      this.count(kind, failure.kind);
      throw failure;
    }
  }
}

/**
 * Marks a signal shared by a fan-out of requests: undici adds one abort listener per request in
 * flight, and past ten Node warns of a leak that is not one.
 */
export function sharedByRequests(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

function failureKind(statusCode: number): NodeFailureKind {
  if (statusCode === 404) return 'notFound';
  if (statusCode === 451) return 'forbidden';
  return 'unavailable';
}

interface StatusJsonBody {
  readonly endEpoch?: number;
  readonly initialCertifiedEpoch?: number | null;
  readonly isCertified?: boolean;
  readonly statusEvent?: { readonly txDigest: string; readonly eventSeq: string };
}

/** The AIP-193 reason of an error body, if it is one. */
function errorReason(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { error?: { details?: { reason?: unknown }[] } };
    const reason = json.error?.details?.[0]?.reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch (error) {
    // Plain-text errors (axum's extractor rejections) carry no reason.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** `BlobStatus` JSON (walrus-protocol.md §4.5): `"nonexistent"` or a one-key object. */
export function parseBlobStatus(json: unknown): NodeBlobStatus | undefined {
  const data = json && typeof json === 'object' && 'success' in json ? (json as { success: { data: unknown } }).success.data : json;
  if (data === 'nonexistent') return { kind: 'nonexistent', certifiedEpoch: null, endEpoch: null };
  if (!data || typeof data !== 'object') return undefined;
  const [kind] = Object.keys(data);
  if (kind !== 'invalid' && kind !== 'permanent' && kind !== 'deletable') return undefined;
  const body = (data as Record<string, StatusJsonBody>)[kind] ?? {};
  const status: NodeBlobStatus = { kind, certifiedEpoch: body.initialCertifiedEpoch ?? null, endEpoch: body.endEpoch ?? null };
  if (kind !== 'permanent') return status;
  return { ...status, isCertified: body.isCertified === true, statusEvent: body.statusEvent };
}
