/**
 * Serving one blob (docs/http-api.md §1.3–§1.5): what `/v1/blobs/{id}`, by-object-id and
 * `/v1alpha/blobs/{id}/stream` share — the blocklist and `If-None-Match` before any node is asked,
 * `Range` and `If-Range`, HEAD from metadata, the representation headers, and the body: whole, or
 * streamed row by row when it is large (`aggregator/blob-reader.ts`, `streamed-body.ts`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobObject } from '../chain/chain-client.ts';
import type { BlobBody, BlobReader } from '../aggregator/blob-reader.ts';
import type { Blocklist } from '../aggregator/blocklist.ts';
import type { BlobInfo } from '../aggregator/metadata-reader.ts';
import type { ConsistencyCheck } from '../codec/decoder.ts';
import type { GatewayConfig } from '../config.ts';
import { ForbiddenBlobError, InvalidByteRangeError } from '../errors/gateway-errors.ts';
import { attributeHeaders } from './attribute-headers.ts';
import { clientAbortSignal } from './client-abort.ts';
import { SNIFF_BYTES } from './content-type.ts';
import { blobEtag, ifNoneMatchMatches } from './etag.ts';
import { contentRange, ifRangeAllows, parseRange } from './range.ts';
import type { ReadQuery } from './read-query.ts';
import { cachingHeaders, headerText, HTTP_NOT_MODIFIED, HTTP_PARTIAL_CONTENT, lifecycleHeaders, representationHeaders, type Head } from './read-response.ts';
import { primeBody, type PrimedBody } from './streamed-body.ts';

export interface BlobServingDeps {
  readonly config: GatewayConfig;
  readonly reader: BlobReader;
  readonly blocklist: Blocklist;
}

/** What a read of one blob knows before any storage node is asked. */
export interface BlobTarget {
  readonly blobId: Uint8Array;
  readonly idText: string;
  /** The Blob object it was named by (by-object-id): its attributes become headers. */
  readonly object?: BlobObject;
}

export interface ServeOptions {
  readonly isHead: boolean;
  readonly check: ConsistencyCheck;
  /** Sent with a successful answer only (an error must not carry them). */
  readonly successHeaders?: Readonly<Record<string, string>>;
}

export type ReadRequest = FastifyRequest<{ Querystring: ReadQuery }>;

/** Bytes pulled before the status line: enough to sniff a type and to tell a body shorter than that. */
const HEAD_BYTES = SNIFF_BYTES + 1;

export interface BlobServing {
  serve(request: ReadRequest, reply: FastifyReply, target: BlobTarget, options: ServeOptions): Promise<FastifyReply>;
  /** 451 for a blob on the blocklist. */
  checkBlocked(idText: string): void;
  /** The blob's first bytes for sniffing: from the cache, else the first systematic row only. */
  firstBytes(info: BlobInfo, signal: AbortSignal): Promise<Head>;
}

/** Where a body lies in what it is part of (a blob, a concatenation). */
export interface BodySpan {
  readonly start: number;
  readonly end: number;
  readonly total: number;
  /** The content's own first bytes, to sniff the type from when the body starts later. */
  readonly contentHead: () => Promise<Head>;
}

/**
 * Pulls the body's first bytes (`primeBody`), then sets the representation headers — the type
 * sniffed from those bytes, or from `contentHead` when the body does not start the content — and
 * `Content-Length`. A stream that then cannot be sent is ended, cancelling its node requests.
 */
export async function primeWithHeaders(reply: FastifyReply, config: GatewayConfig, query: ReadQuery, extra: Readonly<Record<string, string>>, body: BlobBody, span: BodySpan): Promise<PrimedBody> {
  const primed = await primeBody(body, HEAD_BYTES);
  try {
    await representationHeaders(reply, config, query, extra, async () => (span.start === 0 ? { bytes: primed.head, complete: primed.complete && span.end === span.total } : span.contentHead()));
  } catch (error) {
    await primed.discard();
    throw error;
  }
  reply.header('content-length', String(span.end - span.start));
  return primed;
}

export function blobServing(deps: BlobServingDeps): BlobServing {
  const { config, reader, blocklist } = deps;

  const checkBlocked = (idText: string) => {
    if (blocklist.has(idText)) throw new ForbiddenBlobError();
  };

  const firstBytes = async (info: BlobInfo, signal: AbortSignal): Promise<Head> => {
    const cached = reader.peek(info.idText);
    if (cached) return { bytes: cached.subarray(0, SNIFF_BYTES), complete: cached.length <= SNIFF_BYTES };
    const end = Math.min(info.size, SNIFF_BYTES);
    const { bytes } = await reader.readRange(info, 0, end, signal);
    return { bytes, complete: end === info.size };
  };

  const serve = async (request: ReadRequest, reply: FastifyReply, target: BlobTarget, options: ServeOptions) => {
    checkBlocked(target.idText);
    const etag = blobEtag(target.idText);
    cachingHeaders(reply, config, etag, target.idText, target.object?.id);
    if (ifNoneMatchMatches(headerText(request.headers['if-none-match']), etag)) return reply.code(HTTP_NOT_MODIFIED).send();
    const signal = clientAbortSignal(reply);
    const info = await reader.info(target.blobId, signal);
    lifecycleHeaders(reply, info);
    const range = ifRangeAllows(headerText(request.headers['if-range']), etag) && !options.isHead ? parseRange(request.headers.range, info.size) : { kind: 'none' as const };
    if (range.kind === 'unsatisfiable') throw new InvalidByteRangeError(`the range ${request.headers.range} is outside the blob of ${info.size} bytes`, info.size);
    const extra = target.object ? attributeHeaders(target.object.attributes, config.allowedHeaders) : {};
    if (options.isHead) {
      await representationHeaders(reply, config, request.query, extra, () => firstBytes(info, signal));
      reply.header('x-cache', reader.peek(info.idText) ? 'HIT' : 'MISS');
      reply.header('content-length', String(info.size));
      return reply.headers(options.successHeaders ?? {}).send();
    }
    const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, info.size];
    const body = await primeWithHeaders(reply, config, request.query, extra, await reader.open(info, start, end, options.check, signal), {
      start,
      end,
      total: info.size,
      contentHead: () => firstBytes(info, signal),
    });
    reply.header('x-cache', body.cached ? 'HIT' : 'MISS');
    if (range.kind === 'range') reply.code(HTTP_PARTIAL_CONTENT).header('content-range', contentRange(start, end, info.size));
    return reply.headers(options.successHeaders ?? {}).send(body.payload);
  };

  return { serve, checkBlocked, firstBytes };
}
