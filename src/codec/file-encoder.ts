/**
 * Encodes a blob from a file, a stripe at a time, so that memory stays bounded whatever the blob's
 * size: the same expansion, leaves and commitments as `encodeBlob` (docs/protocol.md §1.3–§2.3),
 * byte for byte, with every sliver written into the same file to be read back when it is sent.
 *
 * The file, once encoded (`FileLayout`), is exactly the encoded blob, n·(p+s)·ss bytes:
 *   [0, p·s·ss)                 the message matrix: the blob, zero-padded — row i is primary sliver i < p
 *   [+ n·p·ss)                  secondary slivers 0..n−1, p symbols each (column j of the expanded matrix)
 *   [+ (n−p)·s·ss)              primary slivers p..n−1 (the repair rows), s symbols each
 * Two passes fill it:
 * 1. rows, a few whole rows at a time (contiguous reads): hash their leaves, code them with the
 *    secondary code, hash and write the repair columns' symbols;
 * 2. columns, a stripe of columns at a time (one positional read per row for the blob's columns,
 *    one contiguous read for the repair columns): write the stripe's columns as secondary slivers,
 *    code them with the primary code, hash the repair symbols and write the repair rows of
 *    columns < s (the others are never sent).
 * Each pass reads the next stripe and writes the last one while it codes one (`pipelined`). Every
 * step between two awaits is synchronous, so the codec's shared scratch buffers stay safe; the
 * leaves and stripe buffers, held across awaits, are this encode's own.
 */
import { encodeColumns, encodeRows } from './axis-coding.ts';
import { commitmentsOf, type EncodedSlivers, type EncodingCommitments } from './encoder.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import { LeafHashes } from './leaf-hashes.ts';
import { MessageMatrix } from './message-matrix.ts';
import type { EncodingParams } from './params.ts';
import { sliverBcsFrame, type SliverType } from './sliver.ts';

/** Positional I/O on the file a blob was spooled to; the encoding is written into the same file. */
export interface BlobFile {
  /** Fills `into` from `position`; the bytes must exist. */
  read(into: Uint8Array, position: number): Promise<void>;
  write(from: Uint8Array, position: number): Promise<void>;
  /** Cuts or zero-extends the file to `length` bytes. */
  truncate(length: number): Promise<void>;
  /** Keeps the file open until the returned function is called. */
  hold(): () => void;
  /**
   * The file's open descriptor, when it has one: a codec worker (`codec-workers.ts`) encodes through
   * it, with positional reads and writes that are safe from any thread while the file is held.
   */
  readonly fd?: number;
}

/**
 * Default bytes read per stripe. An encode holds two stripes' buffers (one coded while the other
 * is read or written), each about 4× this (the stripe, its columns, its repair rows: 2× at large
 * n), its leaves (32·n² bytes: 32 MB at n = 1000) and the codec's work arrays (work-groups.ts):
 * about 200 MiB at n = 1000, whatever the blob's size.
 */
export const DEFAULT_STRIPE_BYTES = 16 * 1024 * 1024;
/** Positional reads in flight at once while a column stripe is gathered (one per matrix row). */
const READS_IN_FLIGHT = 64;

export interface FileEncodeOptions {
  /** Bytes of the blob (or of its repair columns) read at a time; at least one row or column is read. */
  readonly stripeBytes?: number;
  /** Checked between stripes: aborting it rejects the encode with its reason. */
  readonly signal?: AbortSignal;
}

/** Where each part of the encoding lives in the file (see the module comment). */
export class FileLayout {
  readonly rowBytes: number;
  readonly secondaryAt: number;
  readonly repairRowsAt: number;
  readonly totalBytes: number;

  constructor(
    private readonly params: EncodingParams,
    readonly symbolSize: number,
  ) {
    const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
    this.rowBytes = s * symbolSize;
    this.secondaryAt = p * this.rowBytes;
    this.repairRowsAt = this.secondaryAt + n * p * symbolSize;
    this.totalBytes = this.repairRowsAt + (n - p) * this.rowBytes;
  }

  /** Offset and length of a sliver's data. */
  sliver(type: SliverType, index: number): { at: number; length: number } {
    const { primarySourceSymbols: p } = this.params;
    if (type === 'secondary') return { at: this.secondaryAt + index * p * this.symbolSize, length: p * this.symbolSize };
    return { at: index < p ? index * this.rowBytes : this.repairRowsAt + (index - p) * this.rowBytes, length: this.rowBytes };
  }
}

/**
 * Encodes the blob held in the first `length` bytes of `file` (anything after them is cut) and
 * writes its slivers into the file. The file must stay unchanged while the encoding is in use.
 */
export async function encodeBlobFile(file: BlobFile, length: number, params: EncodingParams, kernel: CodecKernel, options: FileEncodeOptions = {}): Promise<EncodedSlivers> {
  return fileEncodedSlivers(file, params, await encodeFileInPlace(file, length, params, kernel, options));
}

/** The encode of {@link encodeBlobFile} without the sliver accessors: what a codec worker runs. */
export async function encodeFileInPlace(file: BlobFile, length: number, params: EncodingParams, kernel: CodecKernel, options: FileEncodeOptions = {}): Promise<EncodingCommitments> {
  const { n } = params;
  const ss = params.symbolSize(length);
  const layout = new FileLayout(params, ss);
  const stripeBytes = options.stripeBytes ?? DEFAULT_STRIPE_BYTES;
  const checkpoint = () => options.signal?.throwIfAborted();
  // Cut first: the padding after the blob must read as zeros.
  await file.truncate(length);
  await file.truncate(layout.totalBytes);
  const leaves = new LeafHashes(n, ss, kernel, new Uint8Array(LeafHashes.bytes(n)));
  await rowPass(file, layout, params, kernel, leaves, stripeBytes, checkpoint);
  await columnPass(file, layout, params, kernel, leaves, stripeBytes, checkpoint);
  return { symbolSize: ss, ...leaves.commitments(length) };
}

/** The slivers of a file that {@link encodeFileInPlace} encoded, read from it when sent. */
export function fileEncodedSlivers(file: BlobFile, params: EncodingParams, encoding: EncodingCommitments): EncodedSlivers {
  const { n, primarySourceSymbols: p } = params;
  const ss = encoding.symbolSize;
  const layout = new FileLayout(params, ss);
  return {
    params,
    ...commitmentsOf(encoding),
    // Every repair row is in the file: one chunk, never regenerated.
    repairRowChunks: [{ start: p, end: n }],
    loadRepairRows: async () => {},
    releaseRepairRows: () => {},
    sliverBcs: async (type, index) => {
      const { at, length: dataLength } = layout.sliver(type, index);
      const frame = sliverBcsFrame(dataLength, ss, index);
      await file.read(frame.data, at);
      return frame.bcs;
    },
    hold: () => file.hold(),
  };
}

/** Pass 1: whole rows, a few at a time; leaves of rows < p, repair columns written to their slivers. */
async function rowPass(file: BlobFile, layout: FileLayout, params: EncodingParams, kernel: CodecKernel, leaves: LeafHashes, stripeBytes: number, checkpoint: () => void): Promise<void> {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const { rowBytes, symbolSize: ss } = layout;
  const perStripe = clamp(Math.floor(stripeBytes / rowBytes), 1, p);
  const slot = () => ({ rows: new Uint8Array(perStripe * rowBytes), repairColumns: new Uint8Array((n - s) * perStripe * ss) });
  const count = (first: number) => Math.min(perStripe, p - first);
  await pipelined(stripeStarts(0, p, perStripe), [slot(), slot()], checkpoint, {
    read: (first, { rows }) => file.read(rows.subarray(0, count(first) * rowBytes), first * rowBytes),
    code: (first, { rows, repairColumns }) => {
      const block = rows.subarray(0, count(first) * rowBytes);
      leaves.hashBlock(block, count(first), s, first, 0);
      const out = repairColumns.subarray(0, (n - s) * count(first) * ss);
      encodeRows(new MessageMatrix(block, count(first), s, ss), out, params, kernel);
      const writes: Promise<void>[] = [];
      for (let c = s; c < n; c++) {
        const symbols = out.subarray((c - s) * count(first) * ss, (c - s + 1) * count(first) * ss);
        leaves.hashColumn(symbols, count(first), first, c);
        writes.push(file.write(symbols, layout.secondaryAt + (c * p + first) * ss));
      }
      return writes;
    },
  });
}

/** Pass 2: stripes of columns; secondary slivers < s and the repair rows written, every repair symbol hashed. */
async function columnPass(file: BlobFile, layout: FileLayout, params: EncodingParams, kernel: CodecKernel, leaves: LeafHashes, stripeBytes: number, checkpoint: () => void): Promise<void> {
  const { n, primarySourceSymbols: p, secondarySourceSymbols: s } = params;
  const { rowBytes, symbolSize: ss } = layout;
  const columnBytes = p * ss;
  const perStripe = clamp(Math.floor(stripeBytes / columnBytes), 1, n);
  const slot = () => ({ stripe: new Uint8Array(perStripe * columnBytes), columns: new Uint8Array(perStripe * columnBytes), repairRows: new Uint8Array((n - p) * Math.min(perStripe, s) * ss) });
  const slots = [slot(), slot()] as const;

  const sourceCount = (first: number) => Math.min(perStripe, s - first);
  await pipelined(stripeStarts(0, s, perStripe), slots, checkpoint, {
    // Row r's part of the stripe: its symbols from (r, first), one read each.
    read: (first, { stripe }) => {
      const count = sourceCount(first);
      return inBatches(p, (r) => file.read(stripe.subarray(r * count * ss, (r + 1) * count * ss), r * rowBytes + first * ss));
    },
    code: (first, { stripe, columns, repairRows }) => {
      const count = sourceCount(first);
      const matrix = new MessageMatrix(stripe.subarray(0, count * columnBytes), p, count, ss);
      for (let c = 0; c < count; c++) matrix.copyColumn(c, columns, c * columnBytes);
      const kept = repairRows.subarray(0, (n - p) * count * ss);
      encodeColumns({ start: first, end: first + count, pack: (c, dst, at, stride) => matrix.packColumn(kernel, c - first, 0, p, dst, at, stride) }, params, ss, kernel, {
        kept: { rows: kept, rowStride: count * ss, firstColumn: first },
      });
      leaves.hashBlock(kept, n - p, count, p, first);
      const writes = [file.write(columns.subarray(0, count * columnBytes), layout.secondaryAt + first * columnBytes)];
      for (let k = 0; k < n - p; k++) writes.push(file.write(kept.subarray(k * count * ss, (k + 1) * count * ss), layout.repairRowsAt + k * rowBytes + first * ss));
      return writes;
    },
  });

  // The repair columns, written by the row pass, are contiguous: one read per stripe; their repair symbols are only hashed.
  const repairCount = (first: number) => Math.min(perStripe, n - first);
  await pipelined(stripeStarts(s, n, perStripe), slots, checkpoint, {
    read: (first, { stripe }) => file.read(stripe.subarray(0, repairCount(first) * columnBytes), layout.secondaryAt + first * columnBytes),
    code: (first, { stripe }) => {
      encodeColumns({ start: first, end: first + repairCount(first), pack: (c, dst, at, stride) => kernel.packSymbols(stripe, (c - first) * columnBytes, ss, ss, p, dst, at, stride) }, params, ss, kernel, {
        hashDropped: (symbols, dropped, firstColumn) => leaves.hashBlock(symbols, n - p, dropped, p, firstColumn),
      });
      return [];
    },
  });
}

function stripeStarts(start: number, end: number, perStripe: number): number[] {
  const starts = [];
  for (let first = start; first < end; first += perStripe) starts.push(first);
  return starts;
}

interface StripeSteps<B> {
  /** Reads stripe `first`'s input into `buffers`. */
  read(first: number, buffers: B): Promise<unknown>;
  /** Codes stripe `first` from `buffers` (synchronously) and starts the writes of its output, also in `buffers`. */
  code(first: number, buffers: B): Promise<unknown>[];
}

/**
 * Runs stripes through read → code → write with two sets of buffers used in turn, so that the
 * disk works while the CPU codes: the next stripe is read, and the previous one's writes finish,
 * while a stripe is coded. A set is reused only once its writes are done. Every read and write
 * started is waited for before this returns or throws; a failure is held, never left unhandled,
 * and thrown at the next step.
 */
async function pipelined<B>(starts: readonly number[], buffers: readonly [B, B], checkpoint: () => void, steps: StripeSteps<B>): Promise<void> {
  let failure: { error: unknown } | undefined;
  const settle = (work: Promise<unknown>): Promise<void> =>
    work.then(
      () => undefined,
      (error: unknown) => {
        failure ??= { error };
      },
    );
  const check = () => {
    if (failure) throw failure.error;
    checkpoint();
  };
  const writes: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let reading = starts.length > 0 ? settle(steps.read(starts[0], buffers[0])) : Promise.resolve();
  try {
    for (const [i, first] of starts.entries()) {
      const turn = i % 2;
      await reading;
      await writes[turn];
      check();
      if (i + 1 < starts.length) reading = settle(steps.read(starts[i + 1], buffers[1 - turn]));
      writes[turn] = settle(Promise.all(steps.code(first, buffers[turn])));
    }
  } finally {
    await Promise.all([reading, ...writes]);
  }
  check();
}

/** Runs `count` I/O calls, at most {@link READS_IN_FLIGHT} at a time; a failure stops the rest and is thrown once those in flight have ended. */
async function inBatches(count: number, call: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure) {
      try {
        await call(next++);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, count) }, worker));
  if (failure) throw failure.error;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
