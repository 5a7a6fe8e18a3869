import type { ConsistencyCheck } from '../codec/decoder.ts';

/** A reconstructed blob and how thoroughly it was checked when it was rebuilt. */
export interface CachedBlob {
  readonly bytes: Uint8Array;
  readonly check: ConsistencyCheck;
}

/** Where reconstructed blobs are kept between reads; `memory-blob-cache.ts` is the in-process one. */
export interface BlobCache {
  get(blobId: string): CachedBlob | undefined;
  /** May decline to keep the blob (too large for the budget). */
  set(blobId: string, blob: CachedBlob): void;
  /** Whether a blob of `size` bytes would be kept: a streamed read collects only such blobs. */
  fits(size: number): boolean;
  readonly bytes: number;
}

const CHECK_STRENGTH: Record<ConsistencyCheck, number> = { skip: 0, default: 1, strict: 2 };

/** Whether a blob checked with `held` may answer a read that asks for `wanted`. */
export function satisfiesCheck(held: ConsistencyCheck, wanted: ConsistencyCheck): boolean {
  return CHECK_STRENGTH[held] >= CHECK_STRENGTH[wanted];
}
