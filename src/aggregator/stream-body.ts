/**
 * What wraps a streamed read body on its way out: counting and logging how it ended
 * (docs/reliability.md §3: a failure after the first byte cuts the response), and keeping a blob
 * that fits the cache once one read has passed every byte of it.
 */
import { BlobReadFailedError, BlobUnavailableError, ClientDisconnectedError } from '../errors/gateway-errors.ts';
import type { ReadLogger } from './metadata-reader.ts';
import type { ReadMetrics } from './read-metrics.ts';

export type StreamKind = 'blob' | 'concat';

export interface StreamAccounting {
  readonly kind: StreamKind;
  /** What is streamed, for the log. */
  readonly blobIds: readonly string[];
  /** The client's: a stream that ends because it aborted was abandoned, not cut. */
  readonly signal: AbortSignal;
  readonly metrics?: ReadMetrics;
  readonly log?: ReadLogger;
}

/**
 * `chunks`, counted in `walrus_gateway_streamed_reads_total` once they end: `complete`, `cut` (an
 * error after the first chunk went out — the HTTP layer can then only cut the response short),
 * `failed` (an error before it, answered as an error) or `abandoned` (the client left). A cut is
 * logged with its cause; the caller still gets the error, to end the response with.
 */
export async function* accountedStream(chunks: AsyncIterable<Uint8Array>, accounting: StreamAccounting): AsyncGenerator<Uint8Array> {
  const { kind, blobIds, signal, metrics, log } = accounting;
  let sent = 0;
  let outcome = 'abandoned';
  try {
    for await (const chunk of chunks) {
      sent += chunk.length;
      yield chunk;
    }
    outcome = 'complete';
  } catch (error) {
    if (signal.aborted || error instanceof ClientDisconnectedError) throw error;
    outcome = sent === 0 ? 'failed' : 'cut';
    if (outcome === 'cut') {
      const detail = error instanceof BlobUnavailableError ? error.detail : undefined;
      const known = error instanceof BlobUnavailableError || error instanceof BlobReadFailedError;
      log?.warn({ kind, blobIds: blobIds.slice(0, MAX_LOGGED_IDS), bytesSent: sent, err: error instanceof Error ? error.message : String(error), detail, bug: !known }, 'streamed read failed after its first byte: the response is cut short');
    }
    throw error;
  } finally {
    metrics?.streamedReads.inc({ kind, outcome });
  }
}

/** A concatenation may name many blobs; the log line keeps the first few. */
const MAX_LOGGED_IDS = 8;

/** Where a streamed read may keep the blob it passed in full. */
export interface CacheSlot {
  /** Takes the slot; false when another read of the blob holds it (one copy is enough). */
  claim(): boolean;
  keep(bytes: Uint8Array): void;
  release(): void;
}

/**
 * `chunks` unchanged, copied as they pass into one buffer of `size` bytes that `slot` keeps once
 * the last byte has passed; nothing is kept of a stream that fails or is abandoned.
 */
export async function* fillCacheFrom(chunks: AsyncIterable<Uint8Array>, size: number, slot: CacheSlot): AsyncGenerator<Uint8Array> {
  if (!slot.claim()) return yield* chunks;
  try {
    const bytes = new Uint8Array(size);
    let filled = 0;
    for await (const chunk of chunks) {
      bytes.set(chunk, filled);
      filled += chunk.length;
      yield chunk;
    }
    if (filled === size) slot.keep(bytes);
  } finally {
    slot.release();
  }
}
