/**
 * Rebuilding systematic rows a streamed read could not get from their own nodes (docs/protocol.md
 * §1.5, §1.8), never sending a wrong byte:
 * 1. from columns: any s verified secondary slivers hold every row's symbols (column j's symbol r
 *    is row r's symbol j), so only the lost rows' symbols are kept of each (memory: those rows),
 *    and each lost row is decoded with the secondary code. Needs nodes holding s = n − f shards.
 * 2. else from any p verified primary slivers (nodes holding p = n − 2f shards suffice). This holds
 *    p slivers, about the blob's size, for the decode, so it also decodes every row the stream has
 *    still to send: more nodes are failing, and it will not have to be done again.
 * Rebuilding one row from recovery symbols would need less, but storage nodes do not all serve them
 * (the local network answers 501), so the two ways above are the ones every network supports.
 * Rebuilt rows are checked against the metadata like fetched ones (the default consistency check).
 */
import type { BlobCodec } from '../codec/blob-codec.ts';
import type { ConsistencyCheck } from '../codec/decoder.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import type { Sliver } from '../codec/sliver.ts';
import { verifySlivers } from '../codec/verify-sliver.ts';
import { BlobReadFailedError, BlobUnavailableError } from '../errors/gateway-errors.ts';
import { candidateForColumn, candidateForPair, type SliverCandidate } from '../nodes/sliver-fetch.ts';
import type { BlobSliverFetch } from './blob-slivers.ts';
import type { BlobInfo, ReadLogger } from './metadata-reader.ts';
import type { ReadMetrics } from './read-metrics.ts';

export interface RowRecoveryOptions {
  /** Verifies rebuilt rows. */
  readonly kernel: CodecKernel;
  /** Decodes lost rows. */
  readonly codec: BlobCodec;
  /** The reader's sliver fetch: verification and rejected slivers are handled as in its other reads. */
  readonly fetchSlivers: BlobSliverFetch;
  readonly metrics?: ReadMetrics;
  readonly log?: ReadLogger;
}

export interface RowRecoveryRequest {
  readonly info: BlobInfo;
  /** Systematic rows to rebuild (primary sliver indices below p), ascending. */
  readonly rows: readonly number[];
  /** Rows a decode from rows (way 2) returns as well: the rest the stream has to send. */
  readonly alsoRows: readonly number[];
  /** Members (by index) that failed this read already: not asked again. */
  readonly exclude: ReadonlySet<number>;
  readonly check: ConsistencyCheck;
  readonly signal: AbortSignal;
}

export class RowRecovery {
  constructor(private readonly options: RowRecoveryOptions) {}

  /**
   * The rows' bytes; throws `BlobUnavailableError` when too few nodes serve verifiable slivers, or
   * `BlobReadFailedError` when verified slivers decode to rows the metadata do not commit to (an
   * inconsistently encoded blob).
   */
  async recover(request: RowRecoveryRequest): Promise<Map<number, Uint8Array>> {
    const fromColumns = await this.fromColumns(request);
    if (fromColumns) {
      this.options.metrics?.streamRecoveries.inc({ kind: 'columns' });
      return fromColumns;
    }
    const rows = await this.fromRows(request);
    this.options.metrics?.streamRecoveries.inc({ kind: 'full' });
    return rows;
  }

  /** Way 1; undefined when fewer than s verified columns can be had. */
  private async fromColumns(request: RowRecoveryRequest): Promise<Map<number, Uint8Array> | undefined> {
    const { info, rows, exclude, signal } = request;
    const { params } = info.read;
    const { n, secondarySourceSymbols: s } = params;
    const ss = params.symbolSize(info.size);
    const candidates: SliverCandidate[] = [];
    // Systematic columns first (no decoding).
    for (let column = 0; column < n; column++) {
      const candidate = candidateForColumn(info.read, info.blobId, column);
      if (!exclude.has(candidate.member.index)) candidates.push(candidate);
    }
    if (candidates.length < s) return undefined;
    const outcome = await this.options.fetchSlivers(
      info,
      {
        type: 'secondary',
        candidates,
        needed: s,
        // Way 2 is the fallback: stop waiting once the columns stall.
        giveUpOnStall: true,
        // A column is p symbols, one per row: only the lost rows' are kept.
        keep: (sliver) => ({ ...sliver, data: pickSymbols(sliver.data, rows, ss) }),
      },
      signal,
    );
    if (outcome.kind === 'unavailable') {
      this.options.log?.warn({ blobId: info.idText, rows: rows.length, detail: outcome.detail }, 'lost rows cannot be rebuilt from columns; decoding from rows instead');
      return undefined;
    }
    const decoded = await this.options.codec.decodeRowsFromColumns(outcome.slivers, rows.length, params, ss, signal);
    const rowBytes = params.primarySliverSize(ss);
    const result = new Map(rows.map((row, q) => [row, decoded.subarray(q * rowBytes, (q + 1) * rowBytes)]));
    this.checkRows(request, result, rows);
    return result;
  }

  /** Way 2: any p verified primary slivers, systematic ones first. */
  private async fromRows(request: RowRecoveryRequest): Promise<Map<number, Uint8Array>> {
    const { info, exclude, signal } = request;
    const rows = [...new Set([...request.rows, ...request.alsoRows])].sort((a, b) => a - b);
    const { params } = info.read;
    const p = params.primarySourceSymbols;
    const ss = params.symbolSize(info.size);
    const candidates: SliverCandidate[] = [];
    for (let pair = 0; pair < params.n; pair++) {
      const candidate = candidateForPair(info.read, info.blobId, pair);
      if (!exclude.has(candidate.member.index)) candidates.push(candidate);
    }
    const outcome = await this.options.fetchSlivers(info, { type: 'primary', candidates, needed: p }, signal);
    if (outcome.kind === 'unavailable') {
      this.options.log?.warn({ blobId: info.idText, detail: outcome.detail }, 'too few verified slivers to rebuild lost rows');
      throw new BlobUnavailableError(`${outcome.verified} of the ${p} slivers needed could be read and verified`, outcome.detail);
    }
    const result = await this.options.codec.decodeSelectedRows(outcome.slivers, rows, params, ss, signal);
    const fetched = new Set(outcome.slivers.map((sliver) => sliver.index));
    this.checkRows(request, result, rows.filter((row) => !fetched.has(row)));
    return result;
  }

  /** Decoded rows must hash to the metadata's primary hashes, unless the reader skips the check. */
  private checkRows(request: RowRecoveryRequest, rows: ReadonlyMap<number, Uint8Array>, decoded: readonly number[]): void {
    const { info, check } = request;
    if (check === 'skip' || decoded.length === 0) return;
    const { params } = info.read;
    const symbolSize = params.symbolSize(info.size);
    const slivers: Sliver[] = decoded.map((index) => ({ type: 'primary', index, symbolSize, data: rows.get(index) ?? new Uint8Array(0) }));
    const errors = verifySlivers(slivers, info.withId.metadata, params, this.options.kernel);
    const wrong = errors.findIndex((error) => error !== null);
    if (wrong >= 0) {
      this.options.log?.warn({ blobId: info.idText, row: decoded[wrong] }, 'a decoded row does not match the metadata: the blob was encoded inconsistently');
      throw new BlobReadFailedError(`decoded primary sliver ${decoded[wrong]} does not match the metadata`);
    }
  }
}

/** Symbols `rows` (each `ss` bytes) of a column, in that order. */
function pickSymbols(column: Uint8Array, rows: readonly number[], ss: number): Uint8Array {
  const picked = new Uint8Array(rows.length * ss);
  rows.forEach((row, q) => picked.set(column.subarray(row * ss, (row + 1) * ss), q * ss));
  return picked;
}
