import { BlobTooLargeError, InvalidShardCountError } from './errors.ts';
import { supportsCode } from './reed-solomon/rate.ts';

/** RS2 is the only encoding type Walrus uses today; its on-chain and BCS value is 1. */
export const ENCODING_TYPE_RS2 = 1;
/** Symbols are whole GF(2^16) elements, so their size is a multiple of two bytes. */
export const SYMBOL_ALIGNMENT = 2;
/** The largest even value that fits a u16. */
export const MAX_SYMBOL_SIZE = 65_534;
/** Storage is priced in units of 1 MiB of encoded length. */
export const BYTES_PER_STORAGE_UNIT = 1_048_576;
/** Byte length of a Blake2b-256 digest, a Merkle node and a blob ID. */
export const DIGEST_LENGTH = 32;

/** The smallest shard count whose two codes both have recovery symbols. */
export const MIN_SHARDS = 4;
export const MAX_SHARDS = 65_535;

/** Source-symbol counts and derived sizes of RS2 for a given number of shards. */
export class EncodingParams {
  /** Number of shards. */
  readonly n: number;
  /** Maximum number of faulty shards tolerated. */
  readonly f: number;
  /** Rows of the message matrix; symbols per secondary sliver. */
  readonly primarySourceSymbols: number;
  /** Columns of the message matrix; symbols per primary sliver. */
  readonly secondarySourceSymbols: number;

  private constructor(n: number) {
    this.n = n;
    this.f = Math.floor((n - 1) / 3);
    this.primarySourceSymbols = n - 2 * this.f;
    this.secondarySourceSymbols = n - this.f;
  }

  private static readonly cache = new Map<number, EncodingParams>();

  /** Parameters for `n` shards; throws {@link InvalidShardCountError} when RS2 cannot use `n`. */
  static forShards(n: number): EncodingParams {
    let params = EncodingParams.cache.get(n);
    if (params) return params;
    if (!Number.isInteger(n) || n < MIN_SHARDS || n > MAX_SHARDS) {
      throw new InvalidShardCountError(n, `must be an integer from ${MIN_SHARDS} to ${MAX_SHARDS}`);
    }
    params = new EncodingParams(n);
    const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
    if (!supportsCode(p, n - p) || !supportsCode(s, n - s)) {
      throw new InvalidShardCountError(n, 'the Reed-Solomon codes do not support it');
    }
    EncodingParams.cache.set(n, params);
    return params;
  }

  /** Symbols in the p×s message matrix. */
  get sourceSymbols(): number {
    return this.primarySourceSymbols * this.secondarySourceSymbols;
  }

  /** Largest blob (bytes) this shard count can encode. */
  get maxBlobSize(): number {
    return this.sourceSymbols * MAX_SYMBOL_SIZE;
  }

  /**
   * Symbol size for a blob of `length` bytes: ceil(max(length,1) / (p·s)), rounded up to even.
   * Throws {@link BlobTooLargeError} past {@link MAX_SYMBOL_SIZE}.
   */
  symbolSize(length: number): number {
    const perSymbol = Math.ceil(Math.max(length, 1) / this.sourceSymbols);
    const aligned = perSymbol + (perSymbol % SYMBOL_ALIGNMENT);
    if (aligned > MAX_SYMBOL_SIZE) throw new BlobTooLargeError(length, this.maxBlobSize);
    return aligned;
  }

  /** Byte length of a primary sliver (s symbols). */
  primarySliverSize(symbolSize: number): number {
    return this.secondarySourceSymbols * symbolSize;
  }

  /** Byte length of a secondary sliver (p symbols). */
  secondarySliverSize(symbolSize: number): number {
    return this.primarySourceSymbols * symbolSize;
  }

  /** Metadata each shard stores for accounting: every pair's two hashes plus the blob ID. */
  get metadataLengthPerShard(): number {
    return this.n * DIGEST_LENGTH * 2 + DIGEST_LENGTH;
  }

  /**
   * Encoded length used for pricing and the storage-resource check of `register_blob`:
   * n·(metadata per shard) + n·(p + s)·ss.
   */
  encodedLength(unencodedLength: number): number {
    const ss = this.symbolSize(unencodedLength);
    return this.n * this.metadataLengthPerShard + this.n * (this.primarySourceSymbols + this.secondarySourceSymbols) * ss;
  }

  /** Storage units (1 MiB each, rounded up) of the encoded blob. */
  storageUnits(unencodedLength: number): number {
    return Math.ceil(this.encodedLength(unencodedLength) / BYTES_PER_STORAGE_UNIT);
  }
}
