import { MalformedBcsError } from './errors.ts';

/** Bytes of the ULEB128 encoding of `value` (BCS length prefixes). */
export function ulebLength(value: number): number {
  let bytes = 1;
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) bytes++;
  return bytes;
}

/** A growable little-endian BCS writer. */
export class BcsWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  u16(value: number): this {
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
    return this;
  }

  u64(value: number | bigint): this {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(value), true);
    this.length += 8;
    return this;
  }

  uleb128(value: number): this {
    let v = value;
    do {
      let byte = v & 0x7f;
      v = Math.floor(v / 128);
      if (v > 0) byte |= 0x80;
      this.u8(byte);
    } while (v > 0);
    return this;
  }

  /** Raw bytes with no length prefix (fixed-size arrays). */
  fixedBytes(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** A `vector<u8>`: ULEB128 length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.uleb128(bytes.length).fixedBytes(bytes);
  }

  /** The bytes written; the writer's own buffer when it was sized exactly (a writer is used once). */
  toBytes(): Uint8Array {
    return this.length === this.buffer.length ? this.buffer : this.buffer.slice(0, this.length);
  }
}

/** A bounds-checked BCS reader; every failure is a {@link MalformedBcsError} naming `what`. */
export class BcsReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  fail(detail: string): never {
    throw new MalformedBcsError(this.what, detail);
  }

  private take(n: number): number {
    if (this.offset + n > this.data.length) this.fail(`unexpected end of input at byte ${this.offset}`);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(): number {
    return this.data[this.take(1)];
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  /** A u64 that must fit a JS safe integer (lengths and sizes). */
  u64Number(): number {
    const value = this.view.getBigUint64(this.take(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`u64 ${value} is too large`);
    return Number(value);
  }

  uleb128(): number {
    let value = 0;
    let shift = 1;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * shift;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) this.fail('non-canonical ULEB128');
        if (value > 0xffffffff) this.fail('ULEB128 length overflows u32');
        return value;
      }
      shift *= 128;
    }
    return this.fail('ULEB128 longer than 5 bytes');
  }

  /** A view (no copy) of `n` raw bytes. */
  fixedBytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.data.subarray(at, at + n);
  }

  /** A `vector<u8>` as a view. */
  bytes(): Uint8Array {
    return this.fixedBytes(this.uleb128());
  }

  /** Asserts that the whole input was consumed. */
  end(): void {
    if (this.offset !== this.data.length) this.fail(`${this.data.length - this.offset} trailing bytes`);
  }
}
