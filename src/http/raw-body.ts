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
 *
 * The reading itself (`readBodyInto`) serves any {@link BodySink}: this module's one buffer, or a
 * spool file for large bodies (spooled-body.ts), under the same limits and timeouts.
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

/**
 * Where a body's bytes go as they arrive. `append` throws as soon as the body cannot be right
 * (413, 400); a promise it returns means "read no more until it settles" (a file write).
 */
export interface BodySink<T> {
  append(chunk: Buffer): Promise<void> | undefined;
  /** The body ended; throws 400 when it is shorter than its Content-Length. */
  finish(): T | Promise<T>;
  /** The body failed: let go of what the sink holds. */
  discard(): void;
}

/** Fills one buffer from chunks; throws 413/400 as soon as the body cannot be right. */
class BodyBuffer implements BodySink<Uint8Array> {
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

  append(chunk: Uint8Array): undefined {
    if (this.collector.append(chunk)) return;
    throw overLength(this.limit, this.declared);
  }

  finish(): Uint8Array {
    checkComplete(this.length, this.declared);
    return this.collector.bytes();
  }

  discard(): void {}
}

/** A body past its Content-Length (400), or past the limit when it has none (413). */
export function overLength(limit: number, declared: number | undefined): Error {
  return declared === undefined ? tooLarge(limit) : new MalformedRequestError('the body is longer than its Content-Length');
}

/** A body that ended before its Content-Length is a 400. */
export function checkComplete(length: number, declared: number | undefined): void {
  if (declared !== undefined && length !== declared) throw new MalformedRequestError('the body is shorter than its Content-Length');
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
  return readBodyInto(stream, timeouts, new BodyBuffer(limit, checkDeclaredLength(stream, limit)));
}

/**
 * Streams the body into `sink` under the body timeouts (the caller has checked the declared
 * length); on any failure the sink discards what it holds.
 */
export function readBodyInto<T>(stream: IncomingMessage, timeouts: BodyTimeouts, sink: BodySink<T>): Promise<T> {
  const finish = async () => {
    try {
      return await sink.finish();
    } catch (error) {
      sink.discard();
      throw error;
    }
  };
  if (stream.complete && stream.readableEnded) return finish();

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // Listeners, not `for await`: leaving an async iterator destroys the request and with it the
    // socket, so the 408/413 could never be answered. Paused and unlistened, the rest is left to
    // the error response (sent with `Connection: close`).
    const stop = () => {
      settled = true;
      watch.stop();
      stream.off('data', onData).off('end', onEnd);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      stop();
      stream.pause();
      sink.discard();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      let wait;
      try {
        wait = sink.append(chunk);
      } catch (error) {
        return fail(error);
      }
      if (wait === undefined) return;
      // The sink is behind (a disk write): the socket waits, and the client with it.
      stream.pause();
      wait.then(() => {
        if (!settled) stream.resume();
      }, fail);
    };
    const onEnd = () => {
      if (settled) return;
      // Every byte is in: only the sink's own work (a last write) remains, which no client timeout concerns.
      stop();
      finish().then(resolve, reject);
    };
    const watch = new BodyWatch(stream, { timeouts }, fail);
    stream.on('data', onData).on('end', onEnd);
    stream.resume();
  });
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the request body is larger than this service's limit of ${limit} bytes`);
}
