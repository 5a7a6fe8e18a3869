/**
 * The in-memory blob cache: an LRU bounded by bytes (`--cache-size`), not entries, so a few large
 * blobs cannot exhaust memory; blobs larger than a fraction of the budget are never cached, so
 * one of them cannot flush every small hot blob.
 */
import { LRUCache } from 'lru-cache';
import type { BlobCache, CachedBlob } from './blob-cache.ts';
import type { ReadMetrics } from './read-metrics.ts';

export interface MemoryBlobCacheOptions {
  readonly maxBytes: number;
  /** Largest cacheable blob as a share of `maxBytes`. */
  readonly maxEntryFraction: number;
  readonly metrics?: ReadMetrics;
}

/** An empty blob still costs its entry; counting it as one byte keeps lru-cache's size positive. */
const MIN_ENTRY_SIZE = 1;

export class MemoryBlobCache implements BlobCache {
  private readonly lru: LRUCache<string, CachedBlob> | undefined;
  private readonly maxEntryBytes: number;

  constructor(private readonly options: MemoryBlobCacheOptions) {
    this.maxEntryBytes = Math.floor(options.maxBytes * options.maxEntryFraction);
    // A zero budget turns the cache off.
    this.lru =
      options.maxBytes > 0
        ? new LRUCache<string, CachedBlob>({
            maxSize: options.maxBytes,
            sizeCalculation: (blob) => Math.max(MIN_ENTRY_SIZE, blob.bytes.byteLength),
            dispose: (_blob, _key, reason) => {
              if (reason === 'evict') options.metrics?.cacheEvictions.inc({ cache: 'blob' });
              this.report();
            },
          })
        : undefined;
  }

  get(blobId: string): CachedBlob | undefined {
    return this.lru?.get(blobId);
  }

  fits(size: number): boolean {
    return this.lru !== undefined && size <= this.maxEntryBytes;
  }

  set(blobId: string, blob: CachedBlob): void {
    if (!this.lru || !this.fits(blob.bytes.byteLength)) return;
    this.lru.set(blobId, blob);
    this.report();
  }

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  get entries(): number {
    return this.lru?.size ?? 0;
  }

  private report(): void {
    this.options.metrics?.cacheBytes.set(this.bytes);
    this.options.metrics?.cacheEntries.set({ cache: 'blob' }, this.entries);
  }
}
