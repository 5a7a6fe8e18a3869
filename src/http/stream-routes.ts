/**
 * The reference's alpha read routes (docs/http-api.md §1.5): `GET /v1alpha/blobs/{blobId}/stream`
 * and `GET`/`POST /v1alpha/blobs/concat`, in aggregator and daemon modes, behind the reads' load
 * shedding. Both go past the reference where HTTP says so: HEAD, `Range` (206/416, every
 * single-range form, `If-Range`), `If-None-Match` (304), and on concat a `Content-Length`: every
 * blob's metadata is read before the first byte, so a missing, blocked or too large blob is an
 * error answer rather than a cut body. Bodies stream as `/v1/blobs/{id}` does (`blob-serving.ts`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { concatParts, type BlobReader } from '../aggregator/blob-reader.ts';
import type { Blocklist } from '../aggregator/blocklist.ts';
import type { BlobInfo } from '../aggregator/metadata-reader.ts';
import type { BlobObject, ChainClient } from '../chain/chain-client.ts';
import type { GatewayConfig } from '../config.ts';
import { InvalidByteRangeError, MalformedRequestError, ObjectIdResolutionFailedError, UnsupportedMediaTypeError } from '../errors/gateway-errors.ts';
import { attributeHeaders } from './attribute-headers.ts';
import { blobServing, primeWithHeaders } from './blob-serving.ts';
import { clientAbortSignal } from './client-abort.ts';
import { concatFromBody, concatFromQuery, MAX_CONCAT_BODY_BYTES, parseConcatId, type ConcatId, type ConcatRequest } from './concat-request.ts';
import { SNIFF_BYTES } from './content-type.ts';
import { concatEtag, ifNoneMatchMatches } from './etag.ts';
import { contentRange, ifRangeAllows, parseRange } from './range.ts';
import { readRawBody } from './raw-body.ts';
import type { ReadQuery } from './read-query.ts';
import { blobIdParam, cachingHeaders, headerText, HTTP_NOT_MODIFIED, HTTP_PARTIAL_CONTENT, representationHeaders, type Head } from './read-response.ts';
import { SHED } from './read-routes.ts';

export interface StreamRouteDeps {
  readonly config: GatewayConfig;
  readonly reader: BlobReader;
  readonly chain: ChainClient;
  readonly blocklist: Blocklist;
}

type StreamRequest = FastifyRequest<{ Params: { blobId: string }; Querystring: ReadQuery }>;
type ConcatRequestType = FastifyRequest<{ Querystring: ReadQuery }>;

/** The reference's marker of its streamed route. */
const STREAMING = { 'x-walrus-streaming': 'true' };
/** Object lookups and metadata reads of a concatenation running at once. */
const RESOLVE_CONCURRENCY = 8;
/** `application/json` or any `+json` type, as axum's `Json` extractor accepts. */
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;

/** A concatenation's entry once resolved: the blob, and the object it was named by. */
interface ConcatTarget {
  readonly blobId: Uint8Array;
  readonly idText: string;
  readonly object?: BlobObject;
}

export function registerStreamRoutes(app: FastifyInstance, deps: StreamRouteDeps): void {
  const { config, reader, chain } = deps;
  const { serve, checkBlocked } = blobServing(deps);

  const stream = (isHead: boolean) => async (request: StreamRequest, reply: FastifyReply) => {
    const blobId = blobIdParam(request.params.blobId);
    // The reference's route takes no consistency flags: every row is verified, the default check.
    return serve(request, reply, { blobId, idText: request.params.blobId }, { isHead, check: 'default', successHeaders: STREAMING });
  };
  app.get('/v1alpha/blobs/:blobId/stream', { config: SHED }, stream(false));
  app.head('/v1alpha/blobs/:blobId/stream', { config: SHED }, stream(true));

  const resolve = async (id: ConcatId, signal: AbortSignal): Promise<ConcatTarget> => {
    if (id.kind === 'blob') return { blobId: id.blobId, idText: id.text };
    const object = await chain.getBlobObject(id.objectId, { signal });
    if (!object) throw new ObjectIdResolutionFailedError(id.objectId);
    return { blobId: blobIdParam(object.blobId), idText: object.blobId, object };
  };

  /** The concatenation's first bytes for sniffing, as `firstBytes` reads a blob's. */
  const concatHead = async (infos: readonly BlobInfo[], total: number, signal: AbortSignal): Promise<Head> => {
    const end = Math.min(total, SNIFF_BYTES);
    const pieces: Uint8Array[] = [];
    for (const part of concatParts(infos, 0, end)) pieces.push((await reader.readRange(part.info, part.start, part.end, signal)).bytes);
    return { bytes: Buffer.concat(pieces), complete: end === total };
  };

  const concat = async (request: ConcatRequestType, reply: FastifyReply, asked: ConcatRequest, isHead: boolean) => {
    // Every ID is checked before anything is looked up, as the reference resolves them all first.
    const ids = asked.ids.map(parseConcatId);
    const signal = clientAbortSignal(reply);
    const targets = await inBatches(ids, (id) => resolve(id, signal));
    for (const target of targets) checkBlocked(target.idText);
    const etag = concatEtag(asked.ids);
    cachingHeaders(reply, config, etag, undefined);
    if (ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const infos = await inBatches(targets, (target) => reader.info(target.blobId, signal));
    const total = infos.reduce((sum, info) => sum + info.size, 0);
    const range = ifRangeAllows(headerText(request.headers['if-range']), etag) && !isHead ? parseRange(request.headers.range, total) : { kind: 'none' as const };
    if (range.kind === 'unsatisfiable') throw new InvalidByteRangeError(`the range ${request.headers.range} is outside the ${total} bytes of the concatenation`, total);
    // As the reference: attribute headers from the first ID only, when it names an object.
    const first = targets[0].object;
    const extra = first ? attributeHeaders(first.attributes, config.allowedHeaders) : {};
    if (isHead) {
      await representationHeaders(reply, config, request.query, extra, () => concatHead(infos, total, signal));
      return reply.header('content-length', String(total)).send();
    }
    const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, total];
    const chunks = reader.concat(concatParts(infos, start, end), asked.check, signal);
    const body = await primeWithHeaders(reply, config, request.query, extra, { kind: 'stream', chunks }, { start, end, total, contentHead: () => concatHead(infos, total, signal) });
    if (range.kind === 'range') reply.code(HTTP_PARTIAL_CONTENT).header('content-range', contentRange(start, end, total));
    return reply.send(body.payload);
  };

  const concatByQuery = (isHead: boolean) => async (request: ConcatRequestType, reply: FastifyReply) => concat(request, reply, concatFromQuery(request.query), isHead);
  app.get('/v1alpha/blobs/concat', { config: SHED }, concatByQuery(false));
  app.head('/v1alpha/blobs/concat', { config: SHED }, concatByQuery(true));

  const concatByBody = async (request: ConcatRequestType, reply: FastifyReply) => {
    const type = request.headers['content-type'];
    if (type === undefined || !JSON_TYPE.test(type)) throw new UnsupportedMediaTypeError(type, 'application/json');
    // The reads' body rules: a size limit and the body timeouts, so a dripping client cannot hold a read slot.
    const bytes = await readRawBody(request.raw, { limit: MAX_CONCAT_BODY_BYTES, timeouts: config.publisher.bodyTimeouts });
    return concat(request, reply, concatFromBody(parseJson(bytes)), false);
  };
  void app.register(async (scope) => {
    // The handler reads the body itself (limit and timeouts while reading), whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.post('/v1alpha/blobs/concat', { config: SHED }, concatByBody);
  });
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new MalformedRequestError(`the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `work` over every item, at most {@link RESOLVE_CONCURRENCY} at once, results in order; the first failure stops it. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RESOLVE_CONCURRENCY, items.length) }, worker));
  return results;
}
