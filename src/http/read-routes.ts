/**
 * The aggregator's read routes (docs/http-api.md §1.1–§1.5): GET and HEAD `/v1/blobs/{blobId}`,
 * GET and HEAD `/v1/blobs/{blobId}/byte-range`, GET and HEAD `/v1/blobs/by-object-id/{objectId}`. IDs and
 * query flags are validated, the blocklist and `If-None-Match` answered, before any node is asked;
 * bodies above `--stream-threshold` are streamed row by row (`blob-serving.ts`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChainClient } from '../chain/chain-client.ts';
import type { BlobReader } from '../aggregator/blob-reader.ts';
import type { Blocklist } from '../aggregator/blocklist.ts';
import type { GatewayConfig } from '../config.ts';
import { blobServing, primeWithHeaders, type BlobTarget } from './blob-serving.ts';
import { clientAbortSignal } from './client-abort.ts';
import { byteRangeEtag, ifNoneMatchMatches } from './etag.ts';
import { BlobNotFoundError, InvalidByteRangeError } from '../errors/gateway-errors.ts';
import { consistencyCheckFromQuery, optionalString, type ReadQuery } from './read-query.ts';
import { blobIdParam, cachingHeaders, headerText, HTTP_NOT_MODIFIED, lifecycleHeaders, objectIdParam, representationHeaders } from './read-response.ts';

export interface ReadRouteDeps {
  readonly config: GatewayConfig;
  readonly reader: BlobReader;
  readonly chain: ChainClient;
  readonly blocklist: Blocklist;
}

/** Read routes go through load shedding, as the reference's aggregator layers. */
export const SHED = { shed: true };

type BlobRequest = FastifyRequest<{ Params: { blobId: string }; Querystring: ReadQuery }>;
type ObjectRequest = FastifyRequest<{ Params: { objectId: string }; Querystring: ReadQuery }>;

export function registerReadRoutes(app: FastifyInstance, deps: ReadRouteDeps): void {
  const { config, reader, chain } = deps;
  const { serve, checkBlocked, firstBytes } = blobServing(deps);

  const byBlobId = (isHead: boolean) => async (request: BlobRequest, reply: FastifyReply) => {
    const blobId = blobIdParam(request.params.blobId);
    const check = consistencyCheckFromQuery(request.query);
    return serve(request, reply, { blobId, idText: request.params.blobId }, { isHead, check });
  };
  app.get('/v1/blobs/:blobId', { config: SHED }, byBlobId(false));
  app.head('/v1/blobs/:blobId', { config: SHED }, byBlobId(true));

  const byObjectId = (isHead: boolean) => async (request: ObjectRequest, reply: FastifyReply) => {
    const objectId = objectIdParam(request.params.objectId);
    const check = consistencyCheckFromQuery(request.query);
    const object = await chain.getBlobObject(objectId, { signal: clientAbortSignal(reply) });
    if (!object) throw new BlobNotFoundError();
    return serve(request, reply, { blobId: blobIdParam(object.blobId), idText: object.blobId, object }, { isHead, check });
  };
  app.get('/v1/blobs/by-object-id/:objectId', { config: SHED }, byObjectId(false));
  app.head('/v1/blobs/by-object-id/:objectId', { config: SHED }, byObjectId(true));

  const byteRange = (isHead: boolean) => async (request: BlobRequest, reply: FastifyReply) => {
    const blobId = blobIdParam(request.params.blobId);
    const start = byteRangeQuery(request.query, 'start');
    const length = byteRangeQuery(request.query, 'length');
    if (length === 0) throw new InvalidByteRangeError('length must be positive', undefined, true);
    if (!Number.isSafeInteger(start + length)) throw new InvalidByteRangeError('start + length overflows', undefined, true);
    const target: BlobTarget = { blobId, idText: request.params.blobId };
    checkBlocked(target.idText);
    const etag = byteRangeEtag(target.idText, start, length);
    cachingHeaders(reply, config, etag, target.idText);
    if (ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const signal = clientAbortSignal(reply);
    const info = await reader.info(blobId, signal);
    lifecycleHeaders(reply, info);
    if (start + length > info.size) throw new InvalidByteRangeError(`bytes ${start}…${start + length - 1} are outside the blob of ${info.size} bytes`, info.size, true);
    const noAttributes = {};
    if (isHead) {
      await representationHeaders(reply, config, request.query, noAttributes, () => firstBytes(info, signal));
      reply.header('x-cache', reader.peek(info.idText) ? 'HIT' : 'MISS');
      reply.header('content-length', String(length));
      return reply.send();
    }
    const body = await primeWithHeaders(reply, config, request.query, noAttributes, await reader.open(info, start, start + length, 'default', signal), {
      start,
      end: start + length,
      total: info.size,
      contentHead: () => firstBytes(info, signal),
    });
    reply.header('x-cache', body.cached ? 'HIT' : 'MISS');
    // 200, not 206: the reference chose it so CDNs cache the route like any other URL.
    return reply.send(body.payload);
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
