/** Byte-wise equality of two arrays. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where a collector of unknown final size starts; it doubles from there. */
const INITIAL_COLLECTOR_BYTES = 64 * 1024;

/**
 * Collects chunks into ONE buffer, never past `limit`: allocated once at the expected size when it
 * is known (no chunk list, no concatenated copy), else grown by doubling.
 */
export class ByteCollector {
  private buffer: Uint8Array;
  private filled = 0;

  constructor(
    private readonly limit: number,
    expected?: number,
  ) {
    this.buffer = new Uint8Array(Math.min(expected ?? INITIAL_COLLECTOR_BYTES, limit));
  }

  get length(): number {
    return this.filled;
  }

  /** Bytes that still fit under the limit. */
  get room(): number {
    return this.limit - this.filled;
  }

  /** Appends `chunk`; `false`, with nothing appended, when it would pass the limit. */
  append(chunk: Uint8Array): boolean {
    if (chunk.length > this.room) return false;
    if (this.filled + chunk.length > this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(this.buffer.length * 2, this.filled + chunk.length)));
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.filled);
    this.filled += chunk.length;
    return true;
  }

  /** What was collected, without a copy. */
  bytes(): Uint8Array {
    return this.filled === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.filled);
  }
}
