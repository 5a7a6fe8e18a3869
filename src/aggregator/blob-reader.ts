/**
 * The read flow: blob ID → verified metadata → verified primary slivers → blob
 * (docs/protocol.md §1.8, §3). Full reads prefer the systematic slivers 0…p−1 (with all of them
 * the blob is their concatenation); byte ranges fetch only the systematic rows that hold them,
 * quilt patches only the columns (secondary slivers) that hold them; both fall back to a full read
 * when those are not available. What a response sends (`open`, `concat`): blobs and ranges up to
 * `--stream-threshold` whole, coalesced and cached; larger ones streamed row by row
 * (`row-stream.ts`), concurrent readers sharing each row request in flight, and cached at the end
 * when the blob fits the cache.
 */
import type { BlobCodec } from '../codec/blob-codec.ts';
import type { ConsistencyCheck } from '../codec/decoder.ts';
import { InconsistentBlobError } from '../codec/errors.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import { quiltColumns, type QuiltLayout } from '../codec/quilt.ts';
import type { Sliver } from '../codec/sliver.ts';
import { BlobReadFailedError, BlobUnavailableError } from '../errors/gateway-errors.ts';
import { candidateForColumn, candidateForPair, type SliverCandidate, type SliverFetchOutcome } from '../nodes/sliver-fetch.ts';
import { satisfiesCheck, type BlobCache } from './blob-cache.ts';
import { blobSliverFetch, type BlobSliverFetch } from './blob-slivers.ts';
import { Coalescer } from '../nodes/coalescer.ts';
import type { BlobInfo, MetadataReader, ReadLogger } from './metadata-reader.ts';
import type { ReadMetrics } from './read-metrics.ts';
import { RowRecovery } from './row-recovery.ts';
import { streamRows, type RowFetch, type RowSource } from './row-stream.ts';
import { accountedStream, fillCacheFrom, type StreamKind } from './stream-body.ts';

export interface BlobReaderOptions {
  readonly metadata: MetadataReader;
  readonly cache: BlobCache;
  readonly kernel: CodecKernel;
  /** Where blobs and lost rows are decoded: inline or on codec workers. */
  readonly codec: BlobCodec;
  readonly hedgeDelayMs: number;
  /** Bodies larger than this (bytes) are streamed; defaults to {@link DEFAULT_STREAM_THRESHOLD}. */
  readonly streamThreshold?: number;
  readonly metrics?: ReadMetrics;
  readonly log?: ReadLogger;
}

/** `--stream-threshold`'s default: a 4 MiB read takes about as long to first byte as a row does. */
export const DEFAULT_STREAM_THRESHOLD = 4 * 1024 * 1024;
/** Bytes of rows a stream keeps in flight at most (fewer rows for larger rows), and its bounds in rows. */
const STREAM_WINDOW_BYTES = 16 * 1024 * 1024;
const MIN_WINDOW_ROWS = 2;
const MAX_WINDOW_ROWS = 64;

export interface BlobBytes {
  readonly bytes: Uint8Array;
  /** Whether it came from the in-memory cache (`X-Cache`). */
  readonly cached: boolean;
}

/** What a response sends: bytes in hand, or verified chunks in order (first byte to last). */
export type BlobBody = ({ readonly kind: 'bytes' } & BlobBytes) | { readonly kind: 'stream'; readonly chunks: AsyncIterable<Uint8Array> };

/** Bytes `start` up to (excluding) `end` of one blob: a piece of a concatenation. */
export interface BlobPart {
  readonly info: BlobInfo;
  readonly start: number;
  readonly end: number;
}

/** The parts of blobs `infos`, back to back, that hold bytes `start…end` of their concatenation. */
export function concatParts(infos: readonly BlobInfo[], start: number, end: number): BlobPart[] {
  const parts: BlobPart[] = [];
  let offset = 0;
  for (const info of infos) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + info.size);
    if (from < to) parts.push({ info, start: from - offset, end: to - offset });
    offset += info.size;
  }
  return parts;
}

/** Where a byte range lies in the message matrix: rows `firstRow…lastRow` of `rowBytes` each. */
export interface RowSpan {
  readonly firstRow: number;
  readonly lastRow: number;
  readonly rowBytes: number;
}

/** The systematic rows (primary slivers) holding bytes `start` up to (excluding) `end`. */
export function rowsForRange(start: number, end: number, rowBytes: number): RowSpan {
  return { firstRow: Math.floor(start / rowBytes), lastRow: Math.floor((end - 1) / rowBytes), rowBytes };
}

export class BlobReader {
  private readonly reconstructions = new Coalescer<Uint8Array>();
  /** Row requests of streamed reads, by blob and row: concurrent readers share those in flight. */
  private readonly rowFetches = new Coalescer<RowFetch>();
  /** Blobs a streamed read is collecting for the cache: one collector per blob is enough. */
  private readonly filling = new Set<string>();
  private readonly recovery: RowRecovery;
  private readonly streamThreshold: number;
  private readonly fetchSlivers: BlobSliverFetch;

  constructor(private readonly options: BlobReaderOptions) {
    this.streamThreshold = options.streamThreshold ?? DEFAULT_STREAM_THRESHOLD;
    this.fetchSlivers = blobSliverFetch({ kernel: options.kernel, hedgeDelayMs: options.hedgeDelayMs, onRejected: (info, node, error) => this.rejected(info, node, error) });
    this.recovery = new RowRecovery({ kernel: options.kernel, codec: options.codec, fetchSlivers: this.fetchSlivers, metrics: options.metrics, log: options.log });
  }

  /** Metadata-level facts (size, lifecycle): what HEAD answers from. */
  info(blobId: Uint8Array, signal: AbortSignal): Promise<BlobInfo> {
    return this.options.metadata.info(blobId, signal);
  }

  /** The cached blob, if any: lets HEAD sniff a type without touching the network. */
  peek(idText: string): Uint8Array | undefined {
    return this.options.cache.get(idText)?.bytes;
  }

  /** The whole blob, checked at least as thoroughly as `check` asks; `info` from {@link info}. */
  async read(info: BlobInfo, check: ConsistencyCheck, signal: AbortSignal): Promise<BlobBytes> {
    const { cache, metrics } = this.options;
    const hit = cache.get(info.idText);
    if (hit && satisfiesCheck(hit.check, check)) {
      metrics?.cacheHits.inc({ cache: 'blob' });
      return { bytes: hit.bytes, cached: true };
    }
    metrics?.cacheMisses.inc({ cache: 'blob' });
    const bytes = await this.reconstructions.run(
      `${info.idText}:${check}`,
      signal,
      async (shared) => {
        const decoded = await this.reconstruct(info, check, shared);
        // The decoder returns a view of the padded message matrix; keep only the blob's bytes.
        const blob = decoded.byteLength === decoded.buffer.byteLength ? decoded : decoded.slice();
        cache.set(info.idText, { bytes: blob, check });
        return blob;
      },
      () => metrics?.coalescedRequests.inc(),
    );
    return { bytes, cached: false };
  }

  /** Bytes `start` up to (excluding) `end` of the blob; `info` from {@link info}. */
  async readRange(info: BlobInfo, start: number, end: number, signal: AbortSignal): Promise<BlobBytes> {
    const hit = this.options.cache.get(info.idText);
    if (hit) {
      this.options.metrics?.cacheHits.inc({ cache: 'blob' });
      return { bytes: hit.bytes.subarray(start, end), cached: true };
    }
    if (end <= start) return { bytes: new Uint8Array(0), cached: false };
    const { params, committee } = info.read;
    const ss = params.symbolSize(info.size);
    const span = rowsForRange(start, end, params.secondarySourceSymbols * ss);
    const wanted: number[] = [];
    for (let row = span.firstRow; row <= span.lastRow; row++) wanted.push(row);
    const outcome = await this.fetchRows(info, wanted, signal);
    if (outcome.kind === 'unavailable') {
      this.options.log?.debug({ blobId: info.idText, detail: outcome.detail, nShards: committee.nShards }, 'range read falls back to rebuilding rows');
      if (info.size > this.streamThreshold) {
        // A full read would hold the whole large blob: rebuild only the range's lost rows instead.
        const chunks: Uint8Array[] = [];
        for await (const chunk of this.rows(info, start, end, 'default', signal)) chunks.push(chunk);
        return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), cached: false };
      }
      // The rows' own nodes are down or byzantine: any p slivers rebuild the blob instead.
      const full = await this.read(info, 'default', signal);
      return { bytes: full.bytes.subarray(start, end), cached: false };
    }
    this.options.metrics?.reconstructions.inc({ kind: 'range' });
    const rows = [...outcome.slivers].sort((a, b) => a.index - b.index);
    const joined = rows.length === 1 ? rows[0].data : Buffer.concat(rows.map((row) => row.data));
    const offset = span.firstRow * span.rowBytes;
    return { bytes: joined.subarray(start - offset, end - offset), cached: false };
  }

  /**
   * Columns `start` up to (excluding) `end` of the message matrix, each the first p symbols of its
   * secondary sliver, concatenated: what a quilt patch is read from (docs/protocol.md §2.7). Only
   * those columns' own nodes can send them; when they cannot, the blob is read in full instead.
   */
  async readColumns(info: BlobInfo, layout: QuiltLayout, start: number, end: number, signal: AbortSignal): Promise<BlobBytes> {
    const hit = this.options.cache.get(info.idText);
    if (hit) {
      this.options.metrics?.cacheHits.inc({ cache: 'blob' });
      return { bytes: quiltColumns(hit.bytes, layout, start, end), cached: true };
    }
    const candidates: SliverCandidate[] = [];
    for (let column = start; column < end; column++) candidates.push(candidateForColumn(info.read, info.blobId, column));
    const outcome = await this.fetchSlivers(info, { type: 'secondary', candidates, needed: candidates.length, ownNodesOnly: true }, signal);
    if (outcome.kind === 'unavailable') {
      this.options.log?.debug({ blobId: info.idText, detail: outcome.detail }, 'column read falls back to a full read');
      const full = await this.read(info, 'default', signal);
      return { bytes: quiltColumns(full.bytes, layout, start, end), cached: false };
    }
    this.options.metrics?.reconstructions.inc({ kind: 'columns' });
    const columns = [...outcome.slivers].sort((a, b) => a.index - b.index);
    return { bytes: columns.length === 1 ? columns[0].data : Buffer.concat(columns.map((column) => column.data)), cached: false };
  }

  /**
   * Bytes `start…end` as a response sends them: from the cache; whole (coalesced, and cached when
   * it is the whole blob) up to the stream threshold, and always for a strict check, which needs
   * the whole blob before any byte may go; else streamed. `info` from {@link info}.
   */
  async open(info: BlobInfo, start: number, end: number, check: ConsistencyCheck, signal: AbortSignal): Promise<BlobBody> {
    const body = await this.body(info, start, end, check, signal);
    if (body.kind === 'bytes') return body;
    return { kind: 'stream', chunks: this.accounted('blob', [info.idText], body.chunks, signal) };
  }

  /**
   * The parts one after another, as one stream: each part opened as {@link open} would, when the
   * one before it is done, so one part's bytes at a time are held (a whole part only when it is
   * small, cached or strictly checked).
   */
  concat(parts: readonly BlobPart[], check: ConsistencyCheck, signal: AbortSignal): AsyncIterable<Uint8Array> {
    return this.accounted('concat', parts.map((part) => part.info.idText), this.partsInTurn(parts, check, signal), signal);
  }

  private async *partsInTurn(parts: readonly BlobPart[], check: ConsistencyCheck, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    for (const part of parts) {
      const body = await this.body(part.info, part.start, part.end, check, signal);
      if (body.kind === 'stream') yield* body.chunks;
      else if (body.bytes.length > 0) yield body.bytes;
    }
  }

  private async body(info: BlobInfo, start: number, end: number, check: ConsistencyCheck, signal: AbortSignal): Promise<BlobBody> {
    const whole = start === 0 && end === info.size;
    const hit = this.options.cache.get(info.idText);
    if (whole && (check === 'strict' || info.size <= this.streamThreshold || (hit && satisfiesCheck(hit.check, check)))) {
      return { kind: 'bytes', ...(await this.read(info, check, signal)) };
    }
    if (!whole && (end - start <= this.streamThreshold || hit)) return { kind: 'bytes', ...(await this.readRange(info, start, end, signal)) };
    this.options.metrics?.cacheMisses.inc({ cache: 'blob' });
    this.options.metrics?.reconstructions.inc({ kind: 'stream' });
    const rows = this.rows(info, start, end, check, signal);
    // A blob that fits the cache is kept once one streamed read has passed all of it.
    if (!whole || !this.options.cache.fits(info.size)) return { kind: 'stream', chunks: rows };
    const { idText } = info;
    const slot = {
      claim: () => {
        if (this.filling.has(idText)) return false;
        this.filling.add(idText);
        return true;
      },
      // Every row was verified, and rebuilt ones checked unless the reader skips checks.
      keep: (bytes: Uint8Array) => this.options.cache.set(idText, { bytes, check: check === 'skip' ? 'skip' : 'default' }),
      release: () => this.filling.delete(idText),
    };
    return { kind: 'stream', chunks: fillCacheFrom(rows, info.size, slot) };
  }

  /** Bytes `start…end` as verified systematic rows, in order, failed nodes' rows rebuilt (`row-stream.ts`). */
  private rows(info: BlobInfo, start: number, end: number, check: ConsistencyCheck, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const { params } = info.read;
    const rowBytes = params.primarySliverSize(params.symbolSize(info.size));
    const windowRows = Math.max(MIN_WINDOW_ROWS, Math.min(MAX_WINDOW_ROWS, Math.floor(STREAM_WINDOW_BYTES / rowBytes)));
    return streamRows({ start, end, rowBytes, windowRows }, this.rowSource(info, check), signal);
  }

  private rowSource(info: BlobInfo, check: ConsistencyCheck): RowSource {
    return {
      owner: (row) => this.candidate(info, row).member.index,
      fetch: (row, signal) =>
        this.rowFetches.run(`${info.idText}:${row}`, signal, async (shared): Promise<RowFetch> => {
          const outcome = await this.fetchRows(info, [row], shared);
          return outcome.kind === 'complete' ? { kind: 'row', data: outcome.slivers[0].data } : { kind: 'lost', detail: outcome.detail };
        }),
      recover: (rows, alsoRows, exclude, signal) => this.recovery.recover({ info, rows, alsoRows, exclude, check, signal }),
    };
  }

  private accounted(kind: StreamKind, blobIds: readonly string[], chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterable<Uint8Array> {
    return accountedStream(chunks, { kind, blobIds, signal, metrics: this.options.metrics, log: this.options.log });
  }

  /** Systematic rows `rows` from their own nodes, each verified; `unavailable` when one cannot be had in time. */
  private fetchRows(info: BlobInfo, rows: readonly number[], signal: AbortSignal): Promise<SliverFetchOutcome> {
    return this.fetchSlivers(info, { type: 'primary', candidates: rows.map((row) => this.candidate(info, row)), needed: rows.length, ownNodesOnly: true }, signal);
  }

  private candidate(info: BlobInfo, pairIndex: number): SliverCandidate {
    return candidateForPair(info.read, info.blobId, pairIndex);
  }

  /** Systematic rows 0…p−1 first (no decoding needed with all of them), then the repair rows. */
  private fullReadCandidates(info: BlobInfo): SliverCandidate[] {
    const { n } = info.read.params;
    const candidates: SliverCandidate[] = [];
    for (let pair = 0; pair < n; pair++) candidates.push(this.candidate(info, pair));
    return candidates;
  }

  private async reconstruct(info: BlobInfo, check: ConsistencyCheck, signal: AbortSignal): Promise<Uint8Array> {
    const { params } = info.read;
    const { metrics } = this.options;
    const started = performance.now();
    const outcome = await this.fetchSlivers(info, { type: 'primary', candidates: this.fullReadCandidates(info), needed: params.primarySourceSymbols }, signal);
    const fetched = performance.now();
    metrics?.stageSeconds.observe({ stage: 'slivers' }, (fetched - started) / 1000);
    if (outcome.kind === 'unavailable') {
      this.options.log?.warn({ blobId: info.idText, detail: outcome.detail }, 'too few verified slivers');
      throw new BlobUnavailableError(`${outcome.verified} of the ${params.primarySourceSymbols} slivers needed could be read and verified`, outcome.detail);
    }
    metrics?.reconstructions.inc({ kind: 'full' });
    const blob = await this.decode(info, outcome.slivers, check, signal);
    metrics?.stageSeconds.observe({ stage: 'decode' }, (performance.now() - fetched) / 1000);
    return blob;
  }

  private async decode(info: BlobInfo, slivers: Sliver[], check: ConsistencyCheck, signal: AbortSignal): Promise<Uint8Array> {
    try {
      return await this.options.codec.decode(info.withId, slivers, info.read.params, { consistencyCheck: check, sliversVerified: true }, signal);
    } catch (error) {
      // Verified slivers that do not make a consistent blob mean the writer encoded it wrongly.
      if (error instanceof InconsistentBlobError) throw new BlobReadFailedError(error.message, { cause: error });
      throw error;
    }
  }

  private rejected(info: BlobInfo, node: string, error: unknown): void {
    this.options.metrics?.rejectedAnswers.inc({ kind: 'sliver' });
    this.options.log?.warn({ node, blobId: info.idText, err: error instanceof Error ? error.message : String(error) }, 'rejected a sliver from a storage node');
  }
}
