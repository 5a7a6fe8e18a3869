/**
 * The messages between the event loop and a codec worker (`codec-workers.ts`, `codec-worker.ts`):
 * each codec call as a job of plain data, and {@link runJob}, which does it. Big inputs travel as
 * one buffer (a shared blob, or the slivers packed back to back) and big results are transferred,
 * so a job copies each large buffer at most once; metadata travels as one buffer of hashes, not
 * as 2·n little arrays to clone one by one.
 */
import { decodeBlob, decodeRowsFromColumns, decodeSelectedRows, type ConsistencyCheck } from './decoder.ts';
import { DescriptorFile } from './descriptor-file.ts';
import { computeEncoding, regenerateRepairRows, type BlobEncoding, type EncodingCommitments } from './encoder.ts';
import * as codecErrors from './errors.ts';
import { CodecError } from './errors.ts';
import { encodeFileInPlace } from './file-encoder.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import type { BlobMetadataWithId, SliverPairHashes } from './metadata.ts';
import { DIGEST_LENGTH, EncodingParams } from './params.ts';
import type { Sliver, SliverType } from './sliver.ts';

/** Slivers of one type, their data back to back in one buffer (transferred to the worker). */
export interface PackedSlivers {
  readonly type: SliverType;
  readonly indices: readonly number[];
  readonly symbolSizes: readonly number[];
  readonly lengths: readonly number[];
  readonly data: Uint8Array;
}

/** Metadata with its blob ID; the n pairs of hashes as one buffer, primary then secondary per pair. */
export interface PackedMetadata {
  readonly blobId: Uint8Array;
  readonly encodingType: number;
  readonly unencodedLength: number;
  readonly hashes: Uint8Array;
}

export type CodecJob =
  /** `blob` is shared with the event loop, which keeps reading its systematic slivers from it. */
  | { readonly kind: 'encode'; readonly n: number; readonly blob: Uint8Array; readonly repairRowBudget: number | undefined }
  | { readonly kind: 'repair-rows'; readonly n: number; readonly blob: Uint8Array; readonly start: number; readonly end: number }
  /** A spooled blob, encoded in its file through the descriptor the event loop's thread holds open. */
  | { readonly kind: 'encode-file'; readonly n: number; readonly fd: number; readonly length: number; readonly stripeBytes: number | undefined }
  | { readonly kind: 'decode'; readonly n: number; readonly blob: PackedMetadata; readonly slivers: PackedSlivers; readonly check: ConsistencyCheck; readonly sliversVerified: boolean }
  | { readonly kind: 'rows-from-columns'; readonly n: number; readonly columns: PackedSlivers; readonly rowCount: number; readonly symbolSize: number }
  | { readonly kind: 'selected-rows'; readonly n: number; readonly slivers: PackedSlivers; readonly wanted: readonly number[]; readonly symbolSize: number };

/** A file encode's result: {@link EncodingCommitments} with its metadata packed. */
export interface PackedCommitments {
  readonly symbolSize: number;
  readonly metadata: PackedMetadata;
  readonly rootHash: Uint8Array;
}

/** An encode's result: {@link BlobEncoding} with its metadata packed. */
export interface PackedEncoding extends PackedCommitments {
  readonly repairColumns: Uint8Array;
  readonly repairRows: Uint8Array | undefined;
}

/** What each job kind answers. */
export interface CodecJobResults {
  readonly encode: PackedEncoding;
  readonly 'encode-file': PackedCommitments;
  readonly 'repair-rows': Uint8Array;
  readonly decode: Uint8Array;
  readonly 'rows-from-columns': Uint8Array;
  readonly 'selected-rows': readonly (readonly [number, Uint8Array])[];
}

/** An error thrown by a job, as it crosses the thread boundary. */
export interface JobFailure {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly stack: string | undefined;
}

/**
 * Event loop → worker: a job, or `cancel` for the one running — heeded only by a job that awaits
 * (a file encode, between stripes); a synchronous one has finished before it could be read.
 */
export type JobMessage = { readonly kind: 'run'; readonly job: CodecJob } | { readonly kind: 'cancel' };

/** Worker → event loop. `ready` once the kernel is loaded; then one answer per job, in order. */
export type WorkerMessage = { readonly kind: 'ready' } | { readonly kind: 'done'; readonly result: unknown } | { readonly kind: 'failed'; readonly error: JobFailure };

export function packSlivers(slivers: readonly Sliver[]): PackedSlivers {
  const data = new Uint8Array(slivers.reduce((sum, sliver) => sum + sliver.data.length, 0));
  let at = 0;
  for (const sliver of slivers) {
    data.set(sliver.data, at);
    at += sliver.data.length;
  }
  return {
    type: slivers[0]?.type ?? 'primary',
    indices: slivers.map((sliver) => sliver.index),
    symbolSizes: slivers.map((sliver) => sliver.symbolSize),
    lengths: slivers.map((sliver) => sliver.data.length),
    data,
  };
}

export function unpackSlivers(packed: PackedSlivers): Sliver[] {
  let at = 0;
  return packed.indices.map((index, i) => {
    const data = packed.data.subarray(at, at + packed.lengths[i]);
    at += packed.lengths[i];
    return { type: packed.type, index, symbolSize: packed.symbolSizes[i], data };
  });
}

export function packMetadata({ blobId, metadata }: BlobMetadataWithId): PackedMetadata {
  const hashes = new Uint8Array(metadata.hashes.length * 2 * DIGEST_LENGTH);
  metadata.hashes.forEach((pair, i) => {
    hashes.set(pair.primary, 2 * i * DIGEST_LENGTH);
    hashes.set(pair.secondary, (2 * i + 1) * DIGEST_LENGTH);
  });
  return { blobId, encodingType: metadata.encodingType, unencodedLength: metadata.unencodedLength, hashes };
}

export function unpackMetadata(packed: PackedMetadata): BlobMetadataWithId {
  const hashes: SliverPairHashes[] = [];
  for (let i = 0; i < packed.hashes.length / (2 * DIGEST_LENGTH); i++) {
    hashes.push({
      primary: packed.hashes.subarray(2 * i * DIGEST_LENGTH, (2 * i + 1) * DIGEST_LENGTH),
      secondary: packed.hashes.subarray((2 * i + 1) * DIGEST_LENGTH, (2 * i + 2) * DIGEST_LENGTH),
    });
  }
  return { blobId: packed.blobId, metadata: { encodingType: packed.encodingType, unencodedLength: packed.unencodedLength, hashes } };
}

function packCommitments(encoding: EncodingCommitments): PackedCommitments {
  return { symbolSize: encoding.symbolSize, metadata: packMetadata(encoding), rootHash: encoding.rootHash };
}

export function unpackCommitments(packed: PackedCommitments): EncodingCommitments {
  const { blobId, metadata } = unpackMetadata(packed.metadata);
  return { symbolSize: packed.symbolSize, blobId, rootHash: packed.rootHash, metadata };
}

export function unpackEncoding(packed: PackedEncoding): BlobEncoding {
  return { ...unpackCommitments(packed), repairColumns: packed.repairColumns, repairRows: packed.repairRows };
}

/** Runs one job on this thread with `kernel`: what a codec worker does with each message. `signal` stops a file encode between stripes. */
export function runJob(job: CodecJob, kernel: CodecKernel, signal: AbortSignal): CodecJobResults[CodecJob['kind']] | Promise<PackedCommitments> {
  const params = EncodingParams.forShards(job.n);
  switch (job.kind) {
    case 'encode': {
      const encoding = computeEncoding(job.blob, params, kernel, { repairRowBudget: job.repairRowBudget });
      const result: PackedEncoding = { ...packCommitments(encoding), repairColumns: encoding.repairColumns, repairRows: encoding.repairRows };
      return result;
    }
    case 'repair-rows':
      return regenerateRepairRows(job.blob, params, kernel, job);
    case 'encode-file':
      return encodeFileInPlace(new DescriptorFile(job.fd), job.length, params, kernel, { stripeBytes: job.stripeBytes, signal }).then(packCommitments);
    case 'decode':
      return decodeBlob(unpackMetadata(job.blob), unpackSlivers(job.slivers), params, kernel, { consistencyCheck: job.check, sliversVerified: job.sliversVerified });
    case 'rows-from-columns':
      return decodeRowsFromColumns(unpackSlivers(job.columns), job.rowCount, params, job.symbolSize, kernel);
    case 'selected-rows':
      return [...decodeSelectedRows(unpackSlivers(job.slivers), job.wanted, params, job.symbolSize, kernel)];
  }
}

/** Roughly the bytes a job works through: the blob, or the slivers it decodes. */
export function jobBytes(job: CodecJob): number {
  switch (job.kind) {
    case 'encode':
    case 'repair-rows':
      return job.blob.length;
    case 'encode-file':
      return job.length;
    case 'decode':
    case 'selected-rows':
      return job.slivers.data.length;
    case 'rows-from-columns':
      return job.columns.data.length;
  }
}

/**
 * The buffers of `value`'s byte arrays that can move rather than be copied: each once, and never
 * a shared one (the blob both threads read) — a transferred buffer is gone from the sender.
 */
export function transferables(value: unknown, found: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (value instanceof Uint8Array) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) transferables(item, found);
  }
  return [...found];
}

export function jobFailure(error: unknown): JobFailure {
  if (error instanceof Error) {
    // A codec error's code, or an I/O error's (descriptor-file.ts).
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return { name: error.name, code, message: error.message, stack: error.stack };
  }
  return { name: 'Error', code: undefined, message: String(error), stack: undefined };
}

/** Every codec error class by name (errors.ts), rebuilt on the event loop so that `instanceof` still holds. */
type CodecErrorClass = (typeof codecErrors)[keyof typeof codecErrors];
const CODEC_ERRORS = new Map<string, CodecErrorClass>(
  Object.values(codecErrors)
    .filter((errorClass) => errorClass === CodecError || errorClass.prototype instanceof CodecError)
    .map((errorClass) => [errorClass.name, errorClass]),
);

/**
 * The error a job threw, as the same class when it is one of the codec's; any other (an I/O
 * failure, a bug) as a plain Error with its name and code.
 */
export function rebuildError(failure: JobFailure): Error {
  const codecClass = CODEC_ERRORS.get(failure.name);
  let error: Error;
  if (codecClass && failure.code !== undefined) {
    // CodecError's constructor sets code and message as given; the subclass only shapes the message, which is already shaped.
    error = Reflect.construct(CodecError, [failure.code, failure.message], codecClass);
  } else {
    error = Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
    error.name = failure.name;
  }
  if (failure.stack) error.stack = failure.stack;
  return error;
}
