/**
 * Reads a raw request body into ONE buffer: with a Content-Length it is allocated once at that size
 * and filled in place (no chunk list, no concatenated copy); without one (chunked) the chunks are
 * copied into a buffer that grows by doubling. Over the limit it fails with 413 as soon as that is
 * known — from the header, before reading a byte.
 */
import type { IncomingMessage } from 'node:http';
import { MalformedRequestError, PayloadTooLargeError } from '../errors/gateway-errors.ts';

const INITIAL_CHUNKED_CAPACITY = 64 * 1024;

export async function readRawBody(stream: IncomingMessage, limit: number): Promise<Uint8Array> {
  const header = stream.headers['content-length'];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) throw new MalformedRequestError(`invalid Content-Length ${JSON.stringify(header)}`);
  if (declared !== undefined && declared > limit) throw tooLarge(limit);
  let buffer = new Uint8Array(declared ?? Math.min(limit, INITIAL_CHUNKED_CAPACITY));
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    // Stop reading but keep the socket: the 413 is answered, then Node closes the unread request.
    if (length + chunk.length > limit) throw tooLarge(limit);
    if (length + chunk.length > buffer.length) {
      if (declared !== undefined) throw new MalformedRequestError('the body is longer than its Content-Length');
      const grown = new Uint8Array(Math.min(limit, Math.max(buffer.length * 2, length + chunk.length)));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  }
  if (declared !== undefined && length !== declared) throw new MalformedRequestError('the body is shorter than its Content-Length');
  return length === buffer.length ? buffer : buffer.subarray(0, length);
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the request body is larger than this publisher's limit of ${limit} bytes`);
}
