/**
 * The gateway's client of one storage node's REST API (docs/protocol.md §4.2): metadata, primary
 * slivers and blob status for reads; metadata and sliver PUTs and confirmations for writes. One
 * undici Pool per node, shared by every request to it; every call takes the caller's AbortSignal,
 * and the pool times out a request whose answer does not start, or stalls, within the node
 * timeout. Given the node's on-chain network key, an `https` pool accepts only a certificate
 * carrying that key (§4.1). Every call resolves to a {@link NodeOutcome} — bodies capped while
 * they are read, JSON decoded field by field — and never rejects: a node cannot make us throw.
 */
import { Pool, type Dispatcher } from 'undici';
import { pinnedConnector } from '../chain/node-tls-pinning.ts';
import { blobIdToString } from '../codec/blob-id.ts';
import { ByteCollector } from '../codec/bytes.ts';
import type { SliverType } from '../codec/sliver.ts';
import { outcomeLabel, type NodeFault, type NodeOutcome, type NodeRequestKind, type RequestCounter } from './node-outcome.ts';
import { decodeBlobStatus, decodeConfirmation, errorReason, MalformedAnswer, parseJson, type Json, type NodeBlobStatus, type SignedConfirmation } from './node-responses.ts';

/** Connections kept per node: enough for a blob's worth of slivers in flight on a 10-node network. */
export const DEFAULT_NODE_CONNECTIONS = 32;
const KEEP_ALIVE_MS = 30_000;
const OCTET_STREAM = 'application/octet-stream';

export interface StorageNodeClientOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly connections?: number;
  /** The node's on-chain TLS key (33-byte compressed secp256r1); pins connections to an `https` URL. */
  readonly networkPublicKey?: Uint8Array;
}

/**
 * Largest body each route can need. Metadata and slivers are sized by the caller, who knows the
 * shard count and symbol size; these bound the rest. A node cannot make us buffer more than this.
 */
const MAX_JSON_BYTES = 64 * 1024;
/** Error bodies are read only for their reason; what is past this is dropped. */
const MAX_ERROR_BYTES = 16 * 1024;
const HTTP_OK = 200;
const HTTP_CREATED = 201;
const HTTP_NO_CONTENT = 204;
const HTTP_CLIENT_ERROR = 400;
const HTTP_SERVER_ERROR = 500;
const HTTP_REDIRECT = 300;
/** undici's codes for a node that does not answer, or stalls, within the node timeout. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

type Decode<T> = (bytes: Uint8Array) => T | MalformedAnswer;

interface Call<T> {
  readonly kind: NodeRequestKind;
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly accept: string;
  readonly body?: Uint8Array;
  /** Success codes of this route. */
  readonly ok: readonly number[];
  readonly maxBytes: number;
  readonly decode: Decode<T>;
}

export class StorageNodeClient {
  readonly name: string;
  readonly url: string;
  private readonly pool: Pool;

  constructor(
    options: StorageNodeClientOptions,
    private readonly count: RequestCounter = () => {},
  ) {
    this.name = options.name;
    this.url = options.url;
    const key = options.networkPublicKey;
    const pinning = key !== undefined && new URL(options.url).protocol === 'https:' ? { connect: pinnedConnector(key) } : {};
    // undici's own timers bound each request (no answer, or a stalled body, within timeoutMs): a
    // timeout signal combined with the caller's costs more than the rest of a small request.
    // A Pool never follows redirects: a 3xx is the node's answer, and a fault.
    this.pool = new Pool(options.url, {
      connections: options.connections ?? DEFAULT_NODE_CONNECTIONS,
      keepAliveTimeout: KEEP_ALIVE_MS,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...pinning,
    });
  }

  /** BCS `BlobMetadataWithId`, unverified, at most `maxBytes` long. */
  getMetadata(blobId: Uint8Array, maxBytes: number, signal: AbortSignal): Promise<NodeOutcome<Uint8Array>> {
    return this.call({ kind: 'metadata', method: 'GET', path: `/v1/blobs/${blobIdToString(blobId)}/metadata`, accept: OCTET_STREAM, ok: [HTTP_OK], maxBytes, decode: (bytes) => bytes }, signal);
  }

  /** BCS `SliverData` of pair `pairIndex`'s sliver of `type`, unverified, at most `maxBytes` long. */
  getSliver(blobId: Uint8Array, pairIndex: number, type: SliverType, maxBytes: number, signal: AbortSignal): Promise<NodeOutcome<Uint8Array>> {
    const path = `/v1/blobs/${blobIdToString(blobId)}/slivers/${pairIndex}/${type}`;
    return this.call({ kind: 'sliver', method: 'GET', path, accept: OCTET_STREAM, ok: [HTTP_OK], maxBytes, decode: (bytes) => bytes }, signal);
  }

  getBlobStatus(blobId: Uint8Array, signal: AbortSignal): Promise<NodeOutcome<NodeBlobStatus>> {
    const path = `/v1/blobs/${blobIdToString(blobId)}/status`;
    return this.call({ kind: 'status', method: 'GET', path, accept: JSON_TYPE, ok: [HTTP_OK], maxBytes: MAX_JSON_BYTES, decode: decodeStatusBody }, signal);
  }

  /** PUT BCS `BlobMetadata` (without the ID); 200/201 both mean the node holds it. */
  putMetadata(blobId: Uint8Array, metadataBcs: Uint8Array, signal: AbortSignal): Promise<NodeOutcome<void>> {
    const path = `/v1/blobs/${blobIdToString(blobId)}/metadata`;
    return this.call({ kind: 'putMetadata', method: 'PUT', path, accept: JSON_TYPE, body: metadataBcs, ok: WRITE_OK, maxBytes: MAX_JSON_BYTES, decode: ignoreBody }, signal);
  }

  /** PUT BCS `SliverData` of pair `pairIndex`. */
  putSliver(blobId: Uint8Array, pairIndex: number, type: SliverType, sliverBcs: Uint8Array, signal: AbortSignal): Promise<NodeOutcome<void>> {
    const path = `/v1/blobs/${blobIdToString(blobId)}/slivers/${pairIndex}/${type}`;
    return this.call({ kind: 'putSliver', method: 'PUT', path, accept: JSON_TYPE, body: sliverBcs, ok: WRITE_OK, maxBytes: MAX_JSON_BYTES, decode: ignoreBody }, signal);
  }

  /** GET the storage confirmation: permanent, or for the deletable Blob object `objectId`. */
  getConfirmation(blobId: Uint8Array, objectId: string | null, signal: AbortSignal): Promise<NodeOutcome<SignedConfirmation>> {
    const id = blobIdToString(blobId);
    const path = objectId === null ? `/v1/blobs/${id}/confirmation/permanent` : `/v1/blobs/${id}/confirmation/deletable/${objectId}`;
    return this.call({ kind: 'confirmation', method: 'GET', path, accept: JSON_TYPE, ok: [HTTP_OK], maxBytes: MAX_JSON_BYTES, decode: decodeConfirmationBody }, signal);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Cuts open connections at once (a withheld confirmation must not hold up shutdown). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }

  /** One request, whatever the node does, resolved to one outcome; never rejects. */
  private async call<T>(call: Call<T>, signal: AbortSignal): Promise<NodeOutcome<T>> {
    let outcome: NodeOutcome<T>;
    try {
      outcome = await this.exchange(call, signal);
    } catch (error) {
      outcome = signal.aborted ? { kind: 'aborted' } : { kind: 'faulty', fault: transportFault(error), detail: `${call.method} ${call.path}: ${errorMessage(error)}`, cause: error };
    }
    this.count(call.kind, outcomeLabel(outcome), this.name);
    return outcome;
  }

  private async exchange<T>(call: Call<T>, signal: AbortSignal): Promise<NodeOutcome<T>> {
    const headers: Record<string, string> = call.body ? { 'content-type': OCTET_STREAM, accept: call.accept } : { accept: call.accept };
    const response = await this.pool.request({ method: call.method, path: call.path, headers, body: call.body, signal });
    const { statusCode } = response;
    const what = `${call.method} ${call.path} answered ${statusCode}`;
    if (call.ok.includes(statusCode)) {
      const bytes = await readCapped(response.body, response.headers['content-length'], call.maxBytes);
      if (bytes === 'oversized') return { kind: 'faulty', fault: 'oversized', detail: `${what} with more than ${call.maxBytes} bytes` };
      if (bytes === 'tooSlow') return { kind: 'faulty', fault: 'timeout', detail: `${what} with a body slower than ${MIN_BODY_BYTES_PER_SECOND} bytes/s` };
      const value = call.decode(bytes);
      if (value instanceof MalformedAnswer) return { kind: 'faulty', fault: 'malformed', detail: `${what}: ${value.why}` };
      return { kind: 'ok', value };
    }
    const read = await readCapped(response.body, undefined, MAX_ERROR_BYTES, true);
    const bytes = typeof read === 'string' ? new Uint8Array(0) : read;
    if (statusCode >= HTTP_CLIENT_ERROR && statusCode < HTTP_SERVER_ERROR) {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', 0, ERROR_DETAIL_CHARS);
      return { kind: 'refused', statusCode, reason: errorReason(bytes), detail: `${what}: ${text}` };
    }
    const fault = statusCode >= HTTP_REDIRECT && statusCode < HTTP_CLIENT_ERROR ? 'redirect' : 'status';
    return { kind: 'faulty', fault, detail: statusCode === HTTP_NO_CONTENT ? `${what} with no content` : what };
  }
}

const JSON_TYPE = 'application/json';
const WRITE_OK = [HTTP_OK, HTTP_CREATED];
const ERROR_DETAIL_CHARS = 200;
/**
 * A node must send its body at least this fast once the grace period is over (a sliver of the
 * largest blob, ~44 MB at 1000 shards, then has 11 minutes; a drip of a byte a second, seconds).
 */
const MIN_BODY_BYTES_PER_SECOND = 64 * 1024;
const BODY_RATE_GRACE_MS = 5_000;

function ignoreBody(): void {}

function jsonDecoder<T>(decode: (json: Json) => T | MalformedAnswer): Decode<T> {
  return (bytes) => {
    const json = parseJson(bytes);
    return json instanceof MalformedAnswer ? json : decode(json);
  };
}

const decodeStatusBody = jsonDecoder(decodeBlobStatus);
const decodeConfirmationBody = jsonDecoder(decodeConfirmation);

/** Why a body could not be read whole. */
type BodyShortfall = 'oversized' | 'tooSlow';

/**
 * Reads a body of at most `maxBytes`, stopping (and dropping the connection) as soon as more
 * arrive — or as soon as it arrives slower than {@link MIN_BODY_BYTES_PER_SECOND} after a grace
 * period: undici's body timeout only sees silence, and a node dripping a byte at a time would
 * otherwise hold a request (and whatever waits on it) for ever. With `truncate`, an oversized
 * body yields its first `maxBytes` instead. A declared length over the cap is refused unread.
 */
async function readCapped(body: Dispatcher.ResponseData['body'], declared: string | string[] | undefined, maxBytes: number, truncate = false): Promise<Uint8Array | BodyShortfall> {
  const length = typeof declared === 'string' && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (length !== undefined && length > maxBytes && !truncate) {
    discard(body);
    return 'oversized';
  }
  const collector = new ByteCollector(maxBytes, length);
  const started = performance.now();
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (!collector.append(chunk)) {
      discard(body);
      if (!truncate) return 'oversized';
      collector.append(chunk.subarray(0, collector.room));
      break;
    }
    const elapsedMs = performance.now() - started;
    if (elapsedMs > BODY_RATE_GRACE_MS && (collector.length * 1000) / elapsedMs < MIN_BODY_BYTES_PER_SECOND) {
      discard(body);
      return 'tooSlow';
    }
  }
  return collector.bytes();
}

/**
 * Drops a body we will not read, and its connection. undici then fails the stream with an
 * `AbortError`: with no listener for it, that would be an uncaught exception.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function transportFault(error: unknown): NodeFault {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return TIMEOUT_CODES.has(code) ? 'timeout' : 'transport';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
