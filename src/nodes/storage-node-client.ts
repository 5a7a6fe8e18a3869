/**
 * The gateway's client of one storage node's REST API (walrus-protocol.md §4.2): metadata, primary
 * slivers and blob status. One undici Pool per node, shared by every request to it; every call
 * takes the caller's AbortSignal and adds its own timeout.
 */
import { Pool } from 'undici';
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
}

export interface StorageNodeClientOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly connections?: number;
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
    this.pool = new Pool(options.url, { connections: options.connections ?? DEFAULT_NODE_CONNECTIONS, keepAliveTimeout: KEEP_ALIVE_MS });
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

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async getBytes(kind: 'metadata' | 'sliver', path: string, signal: AbortSignal): Promise<Uint8Array> {
    return this.request(kind, path, OCTET_STREAM, signal);
  }

  private async request(kind: 'metadata' | 'sliver' | 'status', path: string, accept: string, signal: AbortSignal): Promise<Uint8Array> {
    const combined = AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]);
    try {
      const response = await this.pool.request({ method: 'GET', path, headers: { accept }, signal: combined });
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

function failureKind(statusCode: number): NodeFailureKind {
  if (statusCode === 404) return 'notFound';
  if (statusCode === 451) return 'forbidden';
  return 'unavailable';
}

interface StatusJsonBody {
  readonly endEpoch?: number;
  readonly initialCertifiedEpoch?: number | null;
}

/** `BlobStatus` JSON (walrus-protocol.md §4.5): `"nonexistent"` or a one-key object. */
export function parseBlobStatus(json: unknown): NodeBlobStatus | undefined {
  const data = json && typeof json === 'object' && 'success' in json ? (json as { success: { data: unknown } }).success.data : json;
  if (data === 'nonexistent') return { kind: 'nonexistent', certifiedEpoch: null, endEpoch: null };
  if (!data || typeof data !== 'object') return undefined;
  const [kind] = Object.keys(data);
  if (kind !== 'invalid' && kind !== 'permanent' && kind !== 'deletable') return undefined;
  const body = (data as Record<string, StatusJsonBody>)[kind] ?? {};
  return { kind, certifiedEpoch: body.initialCertifiedEpoch ?? null, endEpoch: body.endEpoch ?? null };
}
