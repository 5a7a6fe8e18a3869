/**
 * The aggregator's read routes (docs/http-api.md §1.1–§1.5): GET and HEAD `/v1/blobs/{blobId}`,
 * GET and HEAD `/v1/blobs/{blobId}/byte-range`, GET and HEAD `/v1/blobs/by-object-id/{objectId}`. IDs and
 * query flags are validated, the blocklist and `If-None-Match` answered, before any node is asked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import type { BlobObject, ChainClient } from '../chain/chain-client.ts';
import type { BlobInfo } from '../aggregator/metadata-reader.ts';
import type { BlobReader } from '../aggregator/blob-reader.ts';
import type { Blocklist } from '../aggregator/blocklist.ts';
import type { GatewayConfig } from '../config.ts';
import { attributeHeaders } from './attribute-headers.ts';
import { clientAbortSignal } from './client-abort.ts';
import { SNIFF_BYTES } from './content-type.ts';
import { blobEtag, byteRangeEtag, ifNoneMatchMatches } from './etag.ts';
import { BlobNotFoundError, ForbiddenBlobError, InvalidByteRangeError, InvalidObjectIdError } from '../errors/gateway-errors.ts';
import { consistencyCheckFromQuery, optionalString, type ReadQuery } from './read-query.ts';
import { contentRange, ifRangeAllows, parseRange } from './range.ts';
import { blobIdParam, cachingHeaders, headerText, HTTP_NOT_MODIFIED, HTTP_PARTIAL_CONTENT, lifecycleHeaders, representationHeaders as setRepresentation, toBuffer, type Head } from './read-response.ts';

export interface ReadRouteDeps {
  readonly config: GatewayConfig;
  readonly reader: BlobReader;
  readonly chain: ChainClient;
  readonly blocklist: Blocklist;
}

/** With or without `0x`, as Sui accepts them; up to 64 hex digits, zero-padded on the left. */
const OBJECT_ID = /^(0x)?[0-9a-fA-F]{1,64}$/;
/** Read routes go through load shedding, as the reference's aggregator layers. */
export const SHED = { shed: true };

type BlobRequest = FastifyRequest<{ Params: { blobId: string }; Querystring: ReadQuery }>;
type ObjectRequest = FastifyRequest<{ Params: { objectId: string }; Querystring: ReadQuery }>;

/** What a read of one blob knows before any storage node is asked. */
interface ReadTarget {
  readonly blobId: Uint8Array;
  readonly idText: string;
  readonly object?: BlobObject;
}

function objectIdParam(text: string): string {
  if (!OBJECT_ID.test(text)) throw new InvalidObjectIdError(text);
  return normalizeSuiObjectId(text);
}

export function registerReadRoutes(app: FastifyInstance, deps: ReadRouteDeps): void {
  const { config, reader, chain, blocklist } = deps;

  const checkBlocked = (idText: string) => {
    if (blocklist.has(idText)) throw new ForbiddenBlobError();
  };

  const baseHeaders = (reply: FastifyReply, target: ReadTarget, etag: string) => cachingHeaders(reply, config, etag, target.idText, target.object?.id);

  /** Content-Type, CSP, Content-Disposition and attribute headers; `head` lazily yields the first bytes. */
  const representationHeaders = (request: BlobRequest | ObjectRequest, reply: FastifyReply, target: ReadTarget, head: () => Promise<Head>) =>
    setRepresentation(reply, config, request.query, target.object ? attributeHeaders(target.object.attributes, config.allowedHeaders) : {}, head);

  /** The blob's first bytes for sniffing: from the cache, else the first systematic row only. */
  const firstBytes = async (info: BlobInfo, signal: AbortSignal) => {
    const cached = reader.peek(info.idText);
    if (cached) return { bytes: cached.subarray(0, SNIFF_BYTES), complete: cached.length <= SNIFF_BYTES };
    const end = Math.min(info.size, SNIFF_BYTES);
    const { bytes } = await reader.readRange(info, 0, end, signal);
    return { bytes, complete: end === info.size };
  };

  const serve = async (request: BlobRequest | ObjectRequest, reply: FastifyReply, target: ReadTarget, isHead: boolean) => {
    const check = consistencyCheckFromQuery(request.query);
    checkBlocked(target.idText);
    const etag = blobEtag(target.idText);
    baseHeaders(reply, target, etag);
    if (ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const signal = clientAbortSignal(reply);
    const info = await reader.info(target.blobId, signal);
    lifecycleHeaders(reply, info);
    const range = ifRangeAllows(headerText(request.headers['if-range']), etag) && !isHead ? parseRange(request.headers.range, info.size) : { kind: 'none' as const };
    if (range.kind === 'unsatisfiable') throw new InvalidByteRangeError(`the range ${request.headers.range} is outside the blob of ${info.size} bytes`, info.size);
    if (isHead) {
      await representationHeaders(request, reply, target, () => firstBytes(info, signal));
      reply.header('x-cache', reader.peek(info.idText) ? 'HIT' : 'MISS');
      reply.header('content-length', String(info.size));
      return reply.send();
    }
    if (range.kind === 'range') {
      const { bytes, cached } = await reader.readRange(info, range.start, range.end, signal);
      await representationHeaders(request, reply, target, async () => (range.start === 0 ? { bytes, complete: range.end === info.size } : firstBytes(info, signal)));
      reply.header('x-cache', cached ? 'HIT' : 'MISS');
      reply.header('content-range', contentRange(range.start, range.end, info.size));
      return reply.code(HTTP_PARTIAL_CONTENT).send(toBuffer(bytes));
    }
    const { bytes, cached } = await reader.read(info, check, signal);
    await representationHeaders(request, reply, target, async () => ({ bytes, complete: true }));
    reply.header('x-cache', cached ? 'HIT' : 'MISS');
    return reply.send(toBuffer(bytes));
  };

  const byBlobId = (isHead: boolean) => async (request: BlobRequest, reply: FastifyReply) => {
    const blobId = blobIdParam(request.params.blobId);
    return serve(request, reply, { blobId, idText: request.params.blobId }, isHead);
  };
  app.get('/v1/blobs/:blobId', { config: SHED }, byBlobId(false));
  app.head('/v1/blobs/:blobId', { config: SHED }, byBlobId(true));

  const byObjectId = (isHead: boolean) => async (request: ObjectRequest, reply: FastifyReply) => {
    const objectId = objectIdParam(request.params.objectId);
    consistencyCheckFromQuery(request.query);
    const object = await chain.getBlobObject(objectId, { signal: clientAbortSignal(reply) });
    if (!object) throw new BlobNotFoundError();
    return serve(request, reply, { blobId: blobIdParam(object.blobId), idText: object.blobId, object }, isHead);
  };
  app.get('/v1/blobs/by-object-id/:objectId', { config: SHED }, byObjectId(false));
  app.head('/v1/blobs/by-object-id/:objectId', { config: SHED }, byObjectId(true));

  const byteRange = (isHead: boolean) => async (request: BlobRequest, reply: FastifyReply) => {
    const blobId = blobIdParam(request.params.blobId);
    const start = byteRangeQuery(request.query, 'start');
    const length = byteRangeQuery(request.query, 'length');
    if (length === 0) throw new InvalidByteRangeError('length must be positive', undefined, true);
    if (!Number.isSafeInteger(start + length)) throw new InvalidByteRangeError('start + length overflows', undefined, true);
    const target = { blobId, idText: request.params.blobId };
    checkBlocked(target.idText);
    const etag = byteRangeEtag(target.idText, start, length);
    baseHeaders(reply, target, etag);
    if (ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const signal = clientAbortSignal(reply);
    const info = await reader.info(blobId, signal);
    lifecycleHeaders(reply, info);
    if (start + length > info.size) throw new InvalidByteRangeError(`bytes ${start}…${start + length - 1} are outside the blob of ${info.size} bytes`, info.size, true);
    if (isHead) {
      await representationHeaders(request, reply, target, () => firstBytes(info, signal));
      reply.header('x-cache', reader.peek(info.idText) ? 'HIT' : 'MISS');
      reply.header('content-length', String(length));
      return reply.send();
    }
    const { bytes, cached } = await reader.readRange(info, start, start + length, signal);
    await representationHeaders(request, reply, target, async () => (start === 0 ? { bytes, complete: length === info.size } : firstBytes(info, signal)));
    reply.header('x-cache', cached ? 'HIT' : 'MISS');
    // 200, not 206: the reference chose it so CDNs cache the route like any other URL.
    return reply.send(toBuffer(bytes));
  };
  app.get('/v1/blobs/:blobId/byte-range', { config: SHED }, byteRange(false));
  app.head('/v1/blobs/:blobId/byte-range', { config: SHED }, byteRange(true));
}

function byteRangeQuery(query: ReadQuery, name: 'start' | 'length'): number {
  const text = optionalString(query, name);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidByteRangeError(`${name} must be a whole number of bytes, got ${JSON.stringify(text ?? null)}`, undefined, true);
  }
  return Number(text);
}
