/**
 * The read flow: blob ID → verified metadata → verified primary slivers → blob
 * (docs/protocol.md §1.8, §3). Full reads prefer the systematic slivers 0…p−1 (with all of them
 * the blob is their concatenation) and are cached and coalesced; byte ranges fetch only the
 * systematic rows that hold them, quilt patches only the columns (secondary slivers) that hold
 * them; both fall back to a full read when those are not available.
 */
import { pairIndexToShard, secondarySliverIndex } from '../codec/blob-id.ts';
import { decodeBlob, type ConsistencyCheck } from '../codec/decoder.ts';
import { InconsistentBlobError } from '../codec/errors.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import { quiltColumns, type QuiltLayout } from '../codec/quilt.ts';
import type { Sliver } from '../codec/sliver.ts';
import { verifySlivers } from '../codec/verify-sliver.ts';
import { BlobReadFailedError, BlobUnavailableError } from '../errors/gateway-errors.ts';
import { fetchVerifiedSlivers, sliverBcsLengthOf, type SliverCandidate } from '../nodes/sliver-fetch.ts';
import { satisfiesCheck, type BlobCache } from './blob-cache.ts';
import { Coalescer } from '../nodes/coalescer.ts';
import type { BlobInfo, MetadataReader, ReadLogger } from './metadata-reader.ts';
import type { ReadMetrics } from './read-metrics.ts';

export interface BlobReaderOptions {
  readonly metadata: MetadataReader;
  readonly cache: BlobCache;
  readonly kernel: CodecKernel;
  readonly hedgeDelayMs: number;
  readonly metrics?: ReadMetrics;
  readonly log?: ReadLogger;
}

export interface BlobBytes {
  readonly bytes: Uint8Array;
  /** Whether it came from the in-memory cache (`X-Cache`). */
  readonly cached: boolean;
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

/**
 * How long a byte range waits for its rows' own nodes without progress before it falls back to a
 * full read: a few hedge delays, plus the time the rows take at a slow node's pace, so that an
 * honest node sending a large sliver is not abandoned while a dripping one is.
 */
const RANGE_STALL_HEDGES = 4;
const SLOW_NODE_BYTES_PER_MS = 1024;

function rangeStallLimitMs(hedgeDelayMs: number, sliverBytes: number): number {
  return RANGE_STALL_HEDGES * hedgeDelayMs + sliverBytes / SLOW_NODE_BYTES_PER_MS;
}

export class BlobReader {
  private readonly reconstructions = new Coalescer<Uint8Array>();

  constructor(private readonly options: BlobReaderOptions) {}

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
    const candidates: SliverCandidate[] = [];
    for (let row = span.firstRow; row <= span.lastRow; row++) candidates.push(this.candidate(info, row));
    const needed = candidates.length;
    const outcome = await fetchVerifiedSlivers({
      read: info.read,
      blobId: info.blobId,
      candidates,
      needed,
      maxSliverBytes: sliverBcsLengthOf(params, 'primary', ss),
      margin: 0,
      stallLimitMs: rangeStallLimitMs(this.options.hedgeDelayMs, params.primarySliverSize(ss)),
      verify: (slivers) => verifySlivers(slivers, info.withId.metadata, params, this.options.kernel),
      hedgeDelayMs: this.options.hedgeDelayMs,
      signal,
      onRejected: (node, error) => this.rejected(info, node, error),
    });
    if (outcome.kind === 'unavailable') {
      // The rows' own nodes are down or byzantine: any p slivers rebuild the blob instead.
      this.options.log?.debug({ blobId: info.idText, detail: outcome.detail, nShards: committee.nShards }, 'range read falls back to a full read');
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
    const { params } = info.read;
    const hit = this.options.cache.get(info.idText);
    if (hit) {
      this.options.metrics?.cacheHits.inc({ cache: 'blob' });
      return { bytes: quiltColumns(hit.bytes, layout, start, end), cached: true };
    }
    const candidates: SliverCandidate[] = [];
    // Secondary sliver j belongs to pair n − 1 − j: the mapping is its own inverse.
    for (let column = start; column < end; column++) candidates.push(this.candidate(info, secondarySliverIndex(column, params.n)));
    const outcome = await fetchVerifiedSlivers({
      read: info.read,
      blobId: info.blobId,
      type: 'secondary',
      candidates,
      needed: candidates.length,
      maxSliverBytes: sliverBcsLengthOf(params, 'secondary', layout.symbolSize),
      margin: 0,
      stallLimitMs: rangeStallLimitMs(this.options.hedgeDelayMs, layout.columnBytes),
      verify: (slivers) => verifySlivers(slivers, info.withId.metadata, params, this.options.kernel),
      hedgeDelayMs: this.options.hedgeDelayMs,
      signal,
      onRejected: (node, error) => this.rejected(info, node, error),
    });
    if (outcome.kind === 'unavailable') {
      this.options.log?.debug({ blobId: info.idText, detail: outcome.detail }, 'column read falls back to a full read');
      const full = await this.read(info, 'default', signal);
      return { bytes: quiltColumns(full.bytes, layout, start, end), cached: false };
    }
    this.options.metrics?.reconstructions.inc({ kind: 'columns' });
    const columns = [...outcome.slivers].sort((a, b) => a.index - b.index);
    return { bytes: columns.length === 1 ? columns[0].data : Buffer.concat(columns.map((column) => column.data)), cached: false };
  }

  private candidate(info: BlobInfo, pairIndex: number): SliverCandidate {
    const { committee } = info.read;
    return { pairIndex, member: committee.memberByShard[pairIndexToShard(pairIndex, info.blobId, committee.nShards)] };
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
    const { kernel, metrics } = this.options;
    const outcome = await fetchVerifiedSlivers({
      read: info.read,
      blobId: info.blobId,
      candidates: this.fullReadCandidates(info),
      needed: params.primarySourceSymbols,
      maxSliverBytes: sliverBcsLengthOf(params, 'primary', params.symbolSize(info.size)),
      verify: (slivers) => verifySlivers(slivers, info.withId.metadata, params, kernel),
      hedgeDelayMs: this.options.hedgeDelayMs,
      signal,
      onRejected: (node, error) => this.rejected(info, node, error),
    });
    if (outcome.kind === 'unavailable') {
      this.options.log?.warn({ blobId: info.idText, detail: outcome.detail }, 'too few verified slivers');
      throw new BlobUnavailableError(`${outcome.verified} of the ${params.primarySourceSymbols} slivers needed could be read and verified`, outcome.detail);
    }
    metrics?.reconstructions.inc({ kind: 'full' });
    return this.decode(info, outcome.slivers, check);
  }

  private decode(info: BlobInfo, slivers: Sliver[], check: ConsistencyCheck): Uint8Array {
    try {
      return decodeBlob(info.withId, slivers, info.read.params, this.options.kernel, { consistencyCheck: check, sliversVerified: true });
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
