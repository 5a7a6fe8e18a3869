/**
 * The aggregator's quilt routes (docs/http-api.md §1.5): GET and HEAD
 * `/v1/blobs/by-quilt-patch-id/{patchId}` and `/v1/blobs/by-quilt-id/{quiltId}/{identifier}`, and
 * GET `/v1/quilts/{quiltId}/patches`. A patch is served like a blob (caching headers, sniffed or
 * tagged type, `Range`, `If-None-Match`) under its own ETag: the reference gives every patch of a
 * quilt the quilt ID as ETag, so a cache revalidating one patch would be told it has any other.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlobReader } from '../aggregator/blob-reader.ts';
import type { Blocklist } from '../aggregator/blocklist.ts';
import type { BlobInfo } from '../aggregator/metadata-reader.ts';
import type { QuiltPatchRead, QuiltReader } from '../aggregator/quilt-reader.ts';
import { blobIdToString } from '../codec/blob-id.ts';
import { CodecError } from '../codec/errors.ts';
import { encodeQuiltPatchId, parseQuiltPatchId } from '../codec/quilt.ts';
import type { GatewayConfig } from '../config.ts';
import { InvalidQuiltPatchIdError, InvalidByteRangeError } from '../errors/gateway-errors.ts';
import { blobServing } from './blob-serving.ts';
import { attributeHeaders } from './attribute-headers.ts';
import { clientAbortSignal } from './client-abort.ts';
import { SNIFF_BYTES } from './content-type.ts';
import { blobEtag, ifNoneMatchMatches } from './etag.ts';
import { contentRange, ifRangeAllows, parseRange } from './range.ts';
import type { ReadQuery } from './read-query.ts';
import { blobIdParam, cachingHeaders, headerText, HTTP_NOT_MODIFIED, HTTP_PARTIAL_CONTENT, lifecycleHeaders, representationHeaders, toBuffer } from './read-response.ts';
import { SHED } from './read-routes.ts';

export interface QuiltRouteDeps {
  readonly config: GatewayConfig;
  readonly reader: BlobReader;
  readonly quilts: QuiltReader;
  readonly blocklist: Blocklist;
}

type PatchIdRequest = FastifyRequest<{ Params: { patchId: string }; Querystring: ReadQuery }>;
type IdentifierRequest = FastifyRequest<{ Params: { quiltId: string; identifier: string }; Querystring: ReadQuery }>;
type PatchesRequest = FastifyRequest<{ Params: { quiltId: string } }>;

/** Identifiers are any UTF-8 text; a header carries only visible ASCII, so others are left out (as the reference does). */
const VISIBLE_ASCII = /^[\x20-\x7e]*$/;

/** The patch list of a quilt is a representation of its own; its tag must differ from the quilt's. */
function patchesEtag(quiltId: string): string {
  return `"${quiltId}-patches"`;
}

export function registerQuiltRoutes(app: FastifyInstance, deps: QuiltRouteDeps): void {
  const { config, reader, quilts } = deps;
  const { checkBlocked } = blobServing(deps);

  /**
   * One patch: `etag` is known from the URL for a patch ID (so a revalidation costs no node
   * request), and only after the index is read for an identifier.
   */
  const servePatch = async (
    request: PatchIdRequest | IdentifierRequest,
    reply: FastifyReply,
    quiltId: Uint8Array,
    knownEtag: string | undefined,
    resolve: (info: BlobInfo, signal: AbortSignal) => Promise<QuiltPatchRead>,
    isHead: boolean,
  ) => {
    const quiltIdText = blobIdToString(quiltId);
    checkBlocked(quiltIdText);
    const notModified = (etag: string) => {
      cachingHeaders(reply, config, etag, quiltIdText);
      return ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag);
    };
    if (knownEtag !== undefined && notModified(knownEtag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const signal = clientAbortSignal(reply);
    const info = await reader.info(quiltId, signal);
    lifecycleHeaders(reply, info);
    const patch = await resolve(info, signal);
    const etag = blobEtag(patch.patchId);
    if (knownEtag === undefined && notModified(etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    reply.header('x-walrus-quilt-patch-id', patch.patchId);
    if (VISIBLE_ASCII.test(patch.identifier)) reply.header('x-quilt-patch-identifier', patch.identifier);
    const { data } = patch;
    const range = ifRangeAllows(headerText(request.headers['if-range']), etag) && !isHead ? parseRange(request.headers.range, data.length) : { kind: 'none' as const };
    if (range.kind === 'unsatisfiable') throw new InvalidByteRangeError(`the range ${request.headers.range} is outside the patch of ${data.length} bytes`, data.length);
    const tags = attributeHeaders(patch.tags, config.allowQuiltPatchTagsInResponse ? 'all' : config.allowedHeaders);
    await representationHeaders(reply, config, request.query, tags, async () => ({ bytes: data.subarray(0, SNIFF_BYTES), complete: data.length <= SNIFF_BYTES }));
    reply.header('x-cache', patch.cached ? 'HIT' : 'MISS');
    if (isHead) {
      reply.header('content-length', String(data.length));
      return reply.send();
    }
    if (range.kind === 'range') {
      reply.header('content-range', contentRange(range.start, range.end, data.length));
      return reply.code(HTTP_PARTIAL_CONTENT).send(toBuffer(data.subarray(range.start, range.end)));
    }
    return reply.send(toBuffer(data));
  };

  const byPatchId = (isHead: boolean) => async (request: PatchIdRequest, reply: FastifyReply) => {
    let id;
    try {
      id = parseQuiltPatchId(request.params.patchId);
    } catch (error) {
      if (error instanceof CodecError) throw new InvalidQuiltPatchIdError(request.params.patchId, error.message);
      throw error;
    }
    const { quiltId, startColumn, endColumn } = id;
    // The ETag is the canonical text of the ID, whatever spelling of it the URL used.
    const etag = blobEtag(encodeQuiltPatchId(quiltId, startColumn, endColumn));
    return servePatch(request, reply, quiltId, etag, (info, signal) => quilts.patch(info, startColumn, endColumn, signal), isHead);
  };
  app.get('/v1/blobs/by-quilt-patch-id/:patchId', { config: SHED }, byPatchId(false));
  app.head('/v1/blobs/by-quilt-patch-id/:patchId', { config: SHED }, byPatchId(true));

  const byIdentifier = (isHead: boolean) => async (request: IdentifierRequest, reply: FastifyReply) => {
    const quiltId = blobIdParam(request.params.quiltId);
    // The router has already percent-decoded the segment, so `a%2Fb` names the patch `a/b`.
    const { identifier } = request.params;
    return servePatch(request, reply, quiltId, undefined, (info, signal) => quilts.patchByIdentifier(info, identifier, signal), isHead);
  };
  app.get('/v1/blobs/by-quilt-id/:quiltId/:identifier', { config: SHED }, byIdentifier(false));
  app.head('/v1/blobs/by-quilt-id/:quiltId/:identifier', { config: SHED }, byIdentifier(true));

  // HEAD too, as every GET route (Node sends the headers only).
  app.route({ method: ['GET', 'HEAD'], url: '/v1/quilts/:quiltId/patches', config: SHED, handler: async (request: PatchesRequest, reply: FastifyReply) => {
    const quiltId = blobIdParam(request.params.quiltId);
    const quiltIdText = blobIdToString(quiltId);
    checkBlocked(quiltIdText);
    const etag = patchesEtag(quiltIdText);
    reply.header('etag', etag).header('cache-control', config.cacheControl).header('x-walrus-blob-id', quiltIdText);
    if (ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const signal = clientAbortSignal(reply);
    const info = await reader.info(quiltId, signal);
    lifecycleHeaders(reply, info);
    const patches = await quilts.patches(info, signal);
    // The reference's `QuiltPatchItem`: snake_case `patch_id`, unlike the store response's `quiltPatchId`.
    return reply.type('application/json').send(patches.map(({ identifier, patchId, tags }) => ({ identifier, patch_id: patchId, tags })));
  } });
}
