/**
 * The codec on worker threads (`--codec-workers N`), so that an encode or a decode never holds the
 * event loop: reads keep being served while a large PUT encodes. Each worker runs one job at a
 * time (`codec-worker.ts`); jobs wait here, first come first served, so a job whose client left
 * before it started is dropped without costing a worker anything.
 *
 * Copies: an encode copies the blob once into shared memory, which the worker reads and the
 * encoding's systematic slivers stay views of (so are chunks of repair rows regenerated later); a
 * decode packs its slivers into one buffer that moves to the worker. Results move back without a
 * copy. A spooled blob is encoded in its file through the descriptor this thread holds open until
 * the worker is done with it, whatever happens to the request. A worker that dies fails its job
 * with {@link CodecUnavailableError} and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { CodecUnavailableError, SpoolUnavailableError } from '../errors/gateway-errors.ts';
import { InlineCodec, type BlobCodec } from './blob-codec.ts';
import {
  packMetadata,
  packSlivers,
  rebuildError,
  unpackEncoding,
  unpackCommitments,
  type CodecJob,
  type CodecJobResults,
  type JobMessage,
  type WorkerMessage,
} from './codec-jobs.ts';
import type { DecodeOptions } from './decoder.ts';
import { FILE_IO_ERROR } from './descriptor-file.ts';
import { encodedBlob, repairRowChunksFor, type EncodedBlob, type EncodedSlivers, type EncodeOptions } from './encoder.ts';
import { fileEncodedSlivers, type BlobFile, type FileEncodeOptions } from './file-encoder.ts';
import type { BlobMetadataWithId } from './metadata.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import type { EncodingParams } from './params.ts';
import type { Sliver } from './sliver.ts';

/** Where a dying worker is reported. */
export interface CodecWorkersLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface CodecWorkersOptions {
  /** Worker threads, at least one. */
  readonly workers: number;
  readonly log?: CodecWorkersLogger;
  /** The worker's entry module; default `codec-worker.ts` (tests give one that crashes on cue). */
  readonly entry?: URL;
}

/** src/codec/ (run by tsx) and dist/codec/ (compiled) each hold the entry beside this module, as .ts or .js. */
const DEFAULT_ENTRY = new URL(`./codec-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

/**
 * A worker on the entry. From the TypeScript sources the worker registers tsx itself: in Node 20
 * a worker thread does not inherit the `--import tsx` loader of the thread that starts it.
 */
function startWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true });
}

class PendingJob {
  private settled = false;
  private ended = false;
  private readonly onAbort = () => this.abandon();

  constructor(
    readonly message: CodecJob,
    readonly transfer: readonly ArrayBuffer[],
    private readonly resolveJob: (result: unknown) => void,
    private readonly rejectJob: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
    /** The caller left: the pool drops the job if it waits, or cancels it if it runs. */
    private readonly left: (job: PendingJob) => void,
    /** Once no worker runs the job or ever will (answered, died, dropped): what it holds may go. */
    private readonly onEnd: (() => void) | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.();
  }

  resolve(result: unknown): void {
    if (this.settle()) this.resolveJob(result);
  }

  reject(error: unknown): void {
    if (this.settle()) this.rejectJob(error);
  }

  /**
   * The caller left: a queued job never runs; a running one cannot be stopped mid-call, but its
   * result is dropped when it comes (nothing here holds it), so the memory goes with it.
   */
  private abandon(): void {
    this.left(this);
    this.reject(this.signal?.reason);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}

interface Slot {
  readonly worker: Worker;
  /** It has loaded its kernel and takes jobs. */
  ready: boolean;
  job: PendingJob | undefined;
  /** What it threw before it died, for the job's error. */
  error: Error | undefined;
}

export class CodecWorkers implements BlobCodec {
  private readonly slots = new Set<Slot>();
  private readonly queue: PendingJob[] = [];
  private closed = false;

  constructor(private readonly options: CodecWorkersOptions) {
    if (!(Number.isInteger(options.workers) && options.workers >= 1)) throw new RangeError(`codec workers must be a whole number ≥ 1, got ${options.workers}`);
    for (let i = 0; i < options.workers; i++) this.spawn();
  }

  /** Thread IDs of the workers alive now. */
  get threadIds(): number[] {
    return [...this.slots].map((slot) => slot.worker.threadId);
  }

  /** Jobs waiting for a worker, and jobs a worker is running (those whose caller left included, until the worker is done). */
  get jobs(): { readonly queued: number; readonly running: number } {
    return { queued: this.queue.length, running: [...this.slots].filter((slot) => slot.job).length };
  }

  async encode(blob: Uint8Array, params: EncodingParams, options: EncodeOptions, signal?: AbortSignal): Promise<EncodedBlob> {
    const shared = sharedCopy(blob);
    const packed = await this.run({ kind: 'encode', n: params.n, blob: shared, repairRowBudget: options.repairRowBudget }, [], signal);
    const chunks = repairRowChunksFor(params, blob.length, options);
    return encodedBlob(shared, params, unpackEncoding(packed), chunks, ({ start, end }) => this.run({ kind: 'repair-rows', n: params.n, blob: shared, start, end }, []));
  }

  decode(blob: BlobMetadataWithId, slivers: readonly Sliver[], params: EncodingParams, options: DecodeOptions, signal?: AbortSignal): Promise<Uint8Array> {
    const packed = packSlivers(slivers);
    const metadata = packMetadata(blob);
    const job = { kind: 'decode', n: params.n, blob: metadata, slivers: packed, check: options.consistencyCheck ?? 'default', sliversVerified: options.sliversVerified ?? false } as const;
    return this.run(job, [ownBuffer(packed.data), ownBuffer(metadata.hashes)], signal);
  }

  decodeRowsFromColumns(columns: readonly Sliver[], rowCount: number, params: EncodingParams, symbolSize: number, signal?: AbortSignal): Promise<Uint8Array> {
    const packed = packSlivers(columns);
    return this.run({ kind: 'rows-from-columns', n: params.n, columns: packed, rowCount, symbolSize }, [ownBuffer(packed.data)], signal);
  }

  /**
   * `encodeBlobFile` on a worker, through `file.fd`; the file is held until the worker is done. An
   * I/O failure (a full disk) is a {@link SpoolUnavailableError}, as on the event loop.
   */
  async encodeFile(file: BlobFile, length: number, params: EncodingParams, options: FileEncodeOptions): Promise<EncodedSlivers> {
    if (file.fd === undefined) throw new TypeError('a file without a descriptor cannot be encoded on a codec worker');
    let packed;
    try {
      packed = await this.run({ kind: 'encode-file', n: params.n, fd: file.fd, length, stripeBytes: options.stripeBytes }, [], options.signal, file.hold());
    } catch (error) {
      if (!(error instanceof Error && error.name === FILE_IO_ERROR)) throw error;
      const code = 'code' in error ? String(error.code) : 'unknown error';
      throw new SpoolUnavailableError(`the gateway could not read or write a spool file (${code}); retry later`, { cause: error });
    }
    return fileEncodedSlivers(file, params, unpackCommitments(packed));
  }

  async decodeSelectedRows(slivers: readonly Sliver[], wanted: readonly number[], params: EncodingParams, symbolSize: number, signal?: AbortSignal): Promise<Map<number, Uint8Array>> {
    const packed = packSlivers(slivers);
    return new Map(await this.run({ kind: 'selected-rows', n: params.n, slivers: packed, wanted, symbolSize }, [ownBuffer(packed.data)], signal));
  }

  /** Fails the waiting and running jobs with {@link CodecUnavailableError} and ends every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.reject(shuttingDown());
      job.end();
    }
    await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
  }

  /**
   * `transfer`: buffers made for this job alone, which move to the worker. `onEnd` runs once no
   * worker uses what the job names any more — not when its caller leaves, but when the worker is
   * done with it or dead (a file descriptor must stay open until then).
   */
  private run<K extends CodecJob['kind']>(message: Extract<CodecJob, { kind: K }>, transfer: readonly ArrayBuffer[], signal?: AbortSignal, onEnd?: () => void): Promise<CodecJobResults[K]> {
    if (this.closed || signal?.aborted) {
      onEnd?.();
      return Promise.reject(this.closed ? shuttingDown() : signal?.reason);
    }
    return new Promise((resolve, reject) => {
      // The worker answers this job kind with this result type (codec-jobs.ts runJob): our own thread, not wire data.
      const job = new PendingJob(message, transfer, (result) => resolve(result as CodecJobResults[K]), reject, signal, (pending) => this.left(pending), onEnd);
      this.queue.push(job);
      this.dispatch();
    });
  }

  private left(job: PendingJob): void {
    const at = this.queue.indexOf(job);
    if (at >= 0) {
      this.queue.splice(at, 1);
      job.end();
      return;
    }
    for (const slot of this.slots) if (slot.job === job) this.post(slot, { kind: 'cancel' });
  }

  private post(slot: Slot, message: JobMessage, transfer: readonly ArrayBuffer[] = []): void {
    slot.worker.postMessage(message, [...transfer]);
  }

  private spawn(): void {
    const slot: Slot = { worker: startWorker(this.options.entry ?? DEFAULT_ENTRY), ready: false, job: undefined, error: undefined };
    // A worker keeps the process alive while it starts and while it runs a job, not while it idles.
    slot.worker.on('message', (message: WorkerMessage) => this.answer(slot, message));
    slot.worker.on('error', (error) => (slot.error = error));
    slot.worker.on('exit', (code) => this.exited(slot, code));
    this.slots.add(slot);
  }

  private dispatch(): void {
    if (this.closed) return;
    // Workers that could not start are tried again once there is work for them.
    if (this.queue.length > 0) while (this.slots.size < this.options.workers) this.spawn();
    for (const slot of this.slots) {
      while (slot.ready && !slot.job && this.queue.length > 0) {
        const job = this.queue.shift()!;
        try {
          this.post(slot, { kind: 'run', job: job.message }, job.transfer);
        } catch (error) {
          // A job that cannot be sent (a buffer already moved elsewhere) is the caller's bug; the worker stays free.
          job.reject(error);
          job.end();
          continue;
        }
        slot.job = job;
        slot.worker.ref();
      }
    }
  }

  private answer(slot: Slot, message: WorkerMessage): void {
    if (message.kind === 'ready') {
      slot.ready = true;
      slot.worker.unref();
    } else {
      const job = slot.job;
      slot.job = undefined;
      slot.worker.unref();
      job?.end();
      if (message.kind === 'done') job?.resolve(message.result);
      else job?.reject(rebuildError(message.error));
    }
    this.dispatch();
  }

  private exited(slot: Slot, code: number): void {
    this.slots.delete(slot);
    slot.job?.end();
    if (this.closed) {
      slot.job?.reject(shuttingDown());
      return;
    }
    const why = slot.error?.message ?? `exit code ${code}`;
    this.options.log?.warn({ threadId: slot.worker.threadId, err: why, ready: slot.ready }, 'a codec worker died; starting another');
    slot.job?.reject(new CodecUnavailableError(`the codec worker running this request died (${why})`, { cause: slot.error }));
    if (slot.ready) {
      this.spawn();
      return;
    }
    // It died before it could take a job: it cannot start (a broken install). Starting another at
    // once would loop; the jobs waiting fail now, and the next job tries again.
    for (const job of this.queue.splice(0)) {
      job.reject(new CodecUnavailableError(`a codec worker could not start (${why})`, { cause: slot.error }));
      job.end();
    }
  }
}

function shuttingDown(): CodecUnavailableError {
  return new CodecUnavailableError('the codec workers are shutting down');
}

/** The blob in memory both threads read: a copy, unless it is shared already. */
function sharedCopy(blob: Uint8Array): Uint8Array {
  if (blob.buffer instanceof SharedArrayBuffer) return blob;
  const shared = new Uint8Array(new SharedArrayBuffer(blob.length));
  shared.set(blob);
  return shared;
}

/** The buffer of an array this module made (packed slivers or hashes), which is never shared. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (!(bytes.buffer instanceof ArrayBuffer)) throw new TypeError('a packed buffer must be an ArrayBuffer');
  return bytes.buffer;
}

/**
 * The codec a gateway process uses, as `--codec-workers` says: `workers` threads, or the event loop
 * itself (0). One per process: reads, stores and the relay share it; its owner closes it.
 */
export function openCodec(workers: number, kernel: CodecKernel, log?: CodecWorkersLogger): BlobCodec {
  return workers > 0 ? new CodecWorkers({ workers, log }) : new InlineCodec(kernel);
}
