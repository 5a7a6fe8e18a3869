import type { FastifyReply } from 'fastify';
import { InvalidContentTypeError } from './node-errors.ts';

/** `ApiSuccess` (`W:crates/walrus-service/src/common/api.rs`): the HTTP status is repeated as `code`. */
export interface ApiSuccess<T> {
  readonly success: { readonly code: number; readonly data: T };
}

export function sendSuccess<T>(reply: FastifyReply, code: number, data: T): FastifyReply {
  const body: ApiSuccess<T> = { success: { code, data } };
  return reply.code(code).type('application/json').send(body);
}

const OCTET_STREAM = 'application/octet-stream';
export const HTTP_OK = 200;
export const HTTP_CREATED = 201;
export const HTTP_ACCEPTED = 202;

/** BCS answers carry `Content-Type: application/octet-stream` (`node/server/extract.rs`). */
export function sendBcs(reply: FastifyReply, bytes: Uint8Array): FastifyReply {
  return reply.code(HTTP_OK).type(OCTET_STREAM).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * The reference `Bcs` extractor's content-type rule: no Content-Type at all ("often just bytes"),
 * or `application/octet-stream` with any parameters.
 */
export function requireBcsContentType(contentType: string | undefined): void {
  if (contentType === undefined) return;
  const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
  if (mediaType !== OCTET_STREAM) {
    throw new InvalidContentTypeError(`Expected request with \`Content-Type: ${OCTET_STREAM}\``);
  }
}

/** The request body as bytes; Fastify leaves it undefined when the request has none. */
export function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  throw new InvalidContentTypeError('unable to decode request body as BCS');
}
