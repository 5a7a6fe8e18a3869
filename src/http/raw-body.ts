/**
 * Reads a raw request body into ONE buffer: with a Content-Length it is allocated once at that size
 * and filled in place (no chunk list, no concatenated copy); without one (chunked) the chunks are
 * copied into a buffer that grows by doubling. Over the limit it fails with 413 as soon as that is
 * known — from the header, before reading a byte.
 *
 * Slow senders fail with 408 (`RequestTimeoutError`), as Apache mod_reqtimeout's `body=…,MinRate=…`:
 * no byte for `idleTimeoutMs`, or, after `minRateGraceMs`, fewer bytes than `minBytesPerSecond` per
 * second since the body started (so a one-byte drip cannot keep a publisher slot). A client that
 * disconnects mid-body fails with `ClientDisconnectedError`.
 */
import type { IncomingMessage } from 'node:http';
import { ByteCollector } from '../codec/bytes.ts';
import type { BodyTimeouts } from '../config.ts';
import { ClientDisconnectedError, MalformedRequestError, PayloadTooLargeError, RequestTimeoutError } from '../errors/gateway-errors.ts';

const MS_PER_SECOND = 1000;

export interface RawBodyOptions {
  readonly limit: number;
  readonly timeouts: BodyTimeouts;
}

/** Fills one buffer from chunks; throws 413/400 as soon as the body cannot be right. */
class BodyBuffer {
  private readonly collector: ByteCollector;

  constructor(
    private readonly limit: number,
    private readonly declared: number | undefined,
  ) {
    // With a Content-Length (already checked against the limit) the body may not pass it either.
    this.collector = new ByteCollector(declared ?? limit, declared);
  }

  get length(): number {
    return this.collector.length;
  }

  append(chunk: Uint8Array): void {
    if (this.collector.append(chunk)) return;
    throw this.declared === undefined ? tooLarge(this.limit) : new MalformedRequestError('the body is longer than its Content-Length');
  }

  finish(): Uint8Array {
    if (this.declared !== undefined && this.length !== this.declared) throw new MalformedRequestError('the body is shorter than its Content-Length');
    return this.collector.bytes();
  }
}

/**
 * When the body is too slow at `now`: the earlier of the idle deadline and the minimum-rate
 * deadline, which every byte received pushes back by 1 / minBytesPerSecond seconds.
 */
function slowBodyDeadline(timeouts: BodyTimeouts, startedAt: number, lastByteAt: number, received: number): { at: number; why: string } {
  const idle = { at: lastByteAt + timeouts.idleTimeoutMs, why: `no body bytes for ${timeouts.idleTimeoutMs} ms` };
  if (timeouts.minBytesPerSecond <= 0) return idle;
  const rateAt = startedAt + timeouts.minRateGraceMs + (received / timeouts.minBytesPerSecond) * MS_PER_SECOND;
  return rateAt < idle.at ? { at: rateAt, why: `the body arrives slower than ${timeouts.minBytesPerSecond} bytes/s` } : idle;
}

/**
 * Watches a request body while someone else consumes it (this module's buffer, or a multipart
 * parser): fails once with 408 when it is too slow, 413 past `limit` bytes (when given), and
 * `ClientDisconnectedError` when the client leaves before the end. `onFail` hears it once.
 */
export class BodyWatch {
  private readonly startedAt = Date.now();
  private lastByteAt = this.startedAt;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly stream: IncomingMessage,
    private readonly options: { readonly timeouts: BodyTimeouts; readonly limit?: number },
    private readonly onFail: (error: Error) => void,
  ) {
    stream.on('data', this.onData).on('error', this.onError).on('close', this.onClose);
    this.check();
  }

  get received(): number {
    return this.bytes;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream.off('data', this.onData).off('error', this.onError).off('close', this.onClose);
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.stop();
    this.onFail(error);
  }

  private readonly onData = (chunk: Buffer) => {
    this.lastByteAt = Date.now();
    this.bytes += chunk.length;
    if (this.options.limit !== undefined && this.bytes > this.options.limit) this.fail(tooLarge(this.options.limit));
  };

  private readonly onError = () => this.fail(new ClientDisconnectedError());

  private readonly onClose = () => {
    if (!this.stream.complete) this.fail(new ClientDisconnectedError());
  };

  // One timer, re-armed only when it fires: a fast upload costs no timer work per chunk.
  private readonly check = () => {
    if (this.stopped) return;
    const deadline = slowBodyDeadline(this.options.timeouts, this.startedAt, this.lastByteAt, this.bytes);
    const now = Date.now();
    if (now >= deadline.at) this.fail(new RequestTimeoutError(`the request body was too slow: ${deadline.why}`));
    else this.timer = setTimeout(this.check, deadline.at - now);
  };
}

/** A declared Content-Length that is malformed (400) or already past `limit` (413), before a byte is read. */
export function checkDeclaredLength(stream: IncomingMessage, limit: number): number | undefined {
  const header = stream.headers['content-length'];
  if (header === undefined) return undefined;
  const declared = Number(header);
  if (!(Number.isSafeInteger(declared) && declared >= 0)) throw new MalformedRequestError(`invalid Content-Length ${JSON.stringify(header)}`);
  if (declared > limit) throw tooLarge(limit);
  return declared;
}

export async function readRawBody(stream: IncomingMessage, { limit, timeouts }: RawBodyOptions): Promise<Uint8Array> {
  const declared = checkDeclaredLength(stream, limit);
  if (stream.complete && stream.readableEnded) return new BodyBuffer(limit, declared).finish();

  return new Promise<Uint8Array>((resolve, reject) => {
    const body = new BodyBuffer(limit, declared);
    // Listeners, not `for await`: leaving an async iterator destroys the request and with it the
    // socket, so the 408/413 could never be answered. Paused and unlistened, the rest is left to
    // the error response (sent with `Connection: close`).
    const settle = (error: unknown, value?: Uint8Array) => {
      watch.stop();
      stream.off('data', onData).off('end', onEnd);
      if (error === undefined && value) resolve(value);
      else {
        stream.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer) => {
      try {
        body.append(chunk);
      } catch (error) {
        settle(error);
      }
    };
    const onEnd = () => {
      try {
        settle(undefined, body.finish());
      } catch (error) {
        settle(error);
      }
    };
    const watch = new BodyWatch(stream, { timeouts }, (error) => settle(error));
    stream.on('data', onData).on('end', onEnd);
    stream.resume();
  });
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the request body is larger than this service's limit of ${limit} bytes`);
}
