/**
 * What every read response shares, whether it serves a blob, a byte range or a quilt patch
 * (docs/http-api.md §1.3): the ID parameter, the caching headers, the representation headers
 * (type, CSP, disposition, allow-listed attribute headers) and the verifiability headers.
 */
import type { FastifyReply } from 'fastify';
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import type { BlobInfo } from '../aggregator/metadata-reader.ts';
import { parseBlobId } from '../codec/blob-id.ts';
import { InvalidBlobIdError as CodecInvalidBlobIdError } from '../codec/errors.ts';
import type { GatewayConfig } from '../config.ts';
import { InvalidBlobIdError, InvalidObjectIdError } from '../errors/gateway-errors.ts';
import { contentDisposition } from './content-disposition.ts';
import { declaredContentType, isScriptCapable, SANDBOX_CSP, sniffContentType } from './content-type.ts';
import { flagFromQuery, optionalString, type ReadQuery } from './read-query.ts';

export const HTTP_PARTIAL_CONTENT = 206;
export const HTTP_NOT_MODIFIED = 304;

/** The first bytes of what is served, and whether they are all of it: what sniffing needs. */
export interface Head {
  readonly bytes: Uint8Array;
  readonly complete: boolean;
}

export function blobIdParam(text: string): Uint8Array {
  try {
    return parseBlobId(text);
  } catch (error) {
    if (error instanceof CodecInvalidBlobIdError) throw new InvalidBlobIdError(text);
    throw error;
  }
}

/** With or without `0x`, as Sui accepts them; up to 64 hex digits, zero-padded on the left. */
const OBJECT_ID = /^(0x)?[0-9a-fA-F]{1,64}$/;

export function isObjectId(text: string): boolean {
  return OBJECT_ID.test(text);
}

export function objectIdParam(text: string): string {
  if (!isObjectId(text)) throw new InvalidObjectIdError(text);
  return normalizeSuiObjectId(text);
}

export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Headers every successful read carries, from the URL alone (a concatenation names no one blob). */
export function cachingHeaders(reply: FastifyReply, config: GatewayConfig, etag: string, blobId: string | undefined, objectId?: string): void {
  reply.header('etag', etag);
  reply.header('cache-control', config.cacheControl);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('accept-ranges', 'bytes');
  if (blobId) reply.header('x-walrus-blob-id', blobId);
  if (objectId) reply.header('x-walrus-object-id', objectId);
}

/** Verifiability headers: the lifecycle as nodes holding more than f shards report it. */
export function lifecycleHeaders(reply: FastifyReply, info: BlobInfo): void {
  const { status } = info;
  if (status?.certifiedEpoch != null) reply.header('x-walrus-certified-epoch', String(status.certifiedEpoch));
  if (status?.endEpoch != null) reply.header('x-walrus-end-epoch', String(status.endEpoch));
}

/**
 * Content-Type (declared by `extra['content-type']`, else sniffed from `head()`), CSP on
 * script-capable types, Content-Disposition from the query, then the `extra` headers (blob
 * attributes or quilt tags, already filtered), which never overwrite a header already set (the
 * reference's rule). No header here depends on a request header, so no `Vary` is needed.
 */
export async function representationHeaders(reply: FastifyReply, config: GatewayConfig, query: ReadQuery, extra: Readonly<Record<string, string>>, head: () => Promise<Head>): Promise<void> {
  let type = declaredContentType(extra['content-type']);
  if (type === undefined) {
    const { bytes, complete } = await head();
    type = sniffContentType(bytes, complete);
  }
  reply.header('content-type', type);
  if (isScriptCapable(type) && !config.allowScriptContent) reply.header('content-security-policy', SANDBOX_CSP);
  const disposition = contentDisposition(optionalString(query, 'filename'), flagFromQuery(query, 'download'));
  if (disposition) reply.header('content-disposition', disposition);
  for (const [name, value] of Object.entries(extra)) if (!reply.hasHeader(name)) reply.header(name, value);
}
