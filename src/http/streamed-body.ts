/**
 * A read body on the wire. Bytes in hand are sent as they are. A stream has its first bytes pulled
 * before the status line goes out — a failure there is an ordinary error answer, and the type is
 * sniffed from them — and is then piped with backpressure, one chunk buffered at a time. A failure
 * after that can only cut the response: once headers are sent Fastify destroys the socket, so the
 * client receives fewer bytes than `Content-Length` announced, which RFC 9112 §6.3 makes an
 * incomplete message (docs/reliability.md §3) — never padding, never a complete-looking 200.
 */
import { Readable } from 'node:stream';
import type { BlobBody } from '../aggregator/blob-reader.ts';
import { toBuffer } from './read-response.ts';

export interface PrimedBody {
  /** The first bytes: at least the number asked for, unless the body is shorter. */
  readonly head: Uint8Array;
  /** Whether `head` is all of the body. */
  readonly complete: boolean;
  readonly payload: Buffer | Readable;
  /** Whether the bytes came from the blob cache (`X-Cache`). */
  readonly cached: boolean;
  /** Ends a stream that will not be sent after all, cancelling its node requests. */
  discard(): Promise<void>;
}

/** Buffers a stream keeps: one chunk (a row) at a time, whatever its size. */
const ONE_CHUNK = 1;

export async function primeBody(body: BlobBody, headBytes: number): Promise<PrimedBody> {
  if (body.kind === 'bytes') {
    const { bytes, cached } = body;
    return { head: bytes.subarray(0, headBytes), complete: bytes.length <= headBytes, payload: toBuffer(bytes), cached, discard: async () => {} };
  }
  const iterator = body.chunks[Symbol.asyncIterator]();
  const first: Uint8Array[] = [];
  let pulled = 0;
  let done = false;
  while (pulled < headBytes) {
    const step = await iterator.next();
    if (step.done) {
      done = true;
      break;
    }
    first.push(step.value);
    pulled += step.value.length;
  }
  const head = first.length === 1 ? first[0] : Buffer.concat(first);
  const discard = async () => {
    await iterator.return?.();
  };
  if (done) return { head, complete: true, payload: toBuffer(head), cached: false, discard };
  const payload = Readable.from(replay(first, iterator), { objectMode: false, highWaterMark: ONE_CHUNK });
  return { head, complete: false, payload, cached: false, discard };
}

/** The chunks already pulled, then the rest; ending early (the client left) ends the source too. */
async function* replay(first: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* first;
    for (;;) {
      const step = await rest.next();
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await rest.return?.();
  }
}
