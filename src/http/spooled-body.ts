/**
 * Reads a `PUT /v1/blobs` body into one buffer, as raw-body.ts does, unless it is longer than the
 * spool threshold: then it goes to a spool file (spool-directory.ts) as it arrives — from the first
 * byte when its Content-Length says so, else from the chunk that crosses the threshold, the bytes
 * held so far written first. The same limit, Content-Length and slow-body rules apply either way;
 * a body that fails or is left by its client closes its file, which frees it.
 */
import type { IncomingMessage } from 'node:http';
import { ByteCollector } from '../codec/bytes.ts';
import type { BodyTimeouts } from '../config.ts';
import { checkComplete, checkDeclaredLength, overLength, readBodyInto, type BodySink } from './raw-body.ts';
import type { SpoolFile } from './spool-directory.ts';

/** Bytes gathered before one write to the spool file: fewer, larger system calls. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Bytes received but not yet on disk past which the socket is paused until the disk catches up. */
const MAX_UNWRITTEN_BYTES = 4 * WRITE_BATCH_BYTES;

export interface SpooledBodyOptions {
  readonly limit: number;
  readonly timeouts: BodyTimeouts;
  /** Bodies longer than this go to a file. */
  readonly threshold: number;
  /** Makes a new spool file. */
  readonly create: () => Promise<SpoolFile>;
}

/** A body in memory, or in a spool file the caller must close (`file.close()`) when done with it. */
export type RequestBody =
  | { readonly kind: 'memory'; readonly bytes: Uint8Array; readonly length: number }
  | { readonly kind: 'file'; readonly file: SpoolFile; readonly length: number };

export function readSpooledBody(stream: IncomingMessage, options: SpooledBodyOptions): Promise<RequestBody> {
  const declared = checkDeclaredLength(stream, options.limit);
  return readBodyInto(stream, options.timeouts, new SpoolingSink(options, declared));
}

class SpoolingSink implements BodySink<RequestBody> {
  private length = 0;
  /** Until the body is known to pass the threshold. */
  private memory: ByteCollector | undefined;
  private writer: SpoolWriter | undefined;

  constructor(
    private readonly options: SpooledBodyOptions,
    private readonly declared: number | undefined,
  ) {
    if (declared === undefined || declared <= options.threshold) this.memory = new ByteCollector(Math.min(options.threshold, options.limit), declared);
  }

  append(chunk: Buffer): Promise<void> | undefined {
    if (this.length + chunk.length > (this.declared ?? this.options.limit)) throw overLength(this.options.limit, this.declared);
    this.length += chunk.length;
    if (this.memory?.append(chunk)) return undefined;
    if (!this.writer) {
      this.writer = new SpoolWriter(this.options.create());
      if (this.memory) this.writer.push(this.memory.bytes());
      this.memory = undefined;
    }
    return this.writer.push(chunk);
  }

  async finish(): Promise<RequestBody> {
    checkComplete(this.length, this.declared);
    if (!this.writer) return { kind: 'memory', bytes: this.memory?.bytes() ?? new Uint8Array(0), length: this.length };
    return { kind: 'file', file: await this.writer.end(), length: this.length };
  }

  discard(): void {
    this.memory = undefined;
    this.writer?.abandon();
  }
}

/**
 * Writes chunks in arrival order at increasing positions, in batches, one write at a time, while
 * the file is still being created if need be. A failure (the file cannot be made, the disk is
 * full) is kept and thrown by the next `push` that waits, or by `end`.
 */
class SpoolWriter {
  private file: SpoolFile | undefined;
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private position = 0;
  private unwritten = 0;
  /** The chain of writes; it never rejects (failures go to `error`). */
  private writing: Promise<void> = Promise.resolve();
  private error: unknown;
  private abandoned = false;

  constructor(private readonly opening: Promise<SpoolFile>) {
    opening.then(
      (file) => {
        this.file = file;
        if (this.abandoned) file.close();
      },
      (error: unknown) => (this.error ??= error),
    );
  }

  /** Queues `chunk`; a promise when too much waits for the disk (it rejects if writing failed). */
  push(chunk: Uint8Array): Promise<void> | undefined {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    this.unwritten += chunk.length;
    if (this.batchBytes >= WRITE_BATCH_BYTES) this.flush();
    if (this.unwritten < MAX_UNWRITTEN_BYTES && this.error === undefined) return undefined;
    return this.writing.then(() => this.throwIfFailed());
  }

  /** Writes what is left and hands the file over. */
  async end(): Promise<SpoolFile> {
    this.flush();
    await this.writing;
    this.throwIfFailed();
    return this.opening;
  }

  /** The body failed: the file is closed (which frees it) once the writes in flight are done. */
  abandon(): void {
    this.abandoned = true;
    this.batch = [];
    this.file?.close();
  }

  private flush(): void {
    if (this.batchBytes === 0) return;
    const chunks = this.batch;
    const bytes = this.batchBytes;
    const position = this.position;
    this.batch = [];
    this.batchBytes = 0;
    this.position += bytes;
    this.writing = this.writing
      .then(async () => {
        if (this.error !== undefined || this.abandoned) return;
        const file = await this.opening;
        await file.writev(chunks, position);
      })
      .catch((error: unknown) => {
        this.error ??= error;
      })
      .finally(() => {
        this.unwritten -= bytes;
      });
  }

  private throwIfFailed(): void {
    if (this.error !== undefined) throw this.error;
  }
}
