import { BcsReader, BcsWriter, ulebLength } from './bcs.ts';

export type SliverType = 'primary' | 'secondary';

/**
 * `SliverData`: the symbols of one primary sliver (a row of the expanded matrix, s symbols) or
 * secondary sliver (a column, p symbols). `index` is the sliver index, not the pair index.
 */
export interface Sliver {
  readonly type: SliverType;
  readonly index: number;
  readonly symbolSize: number;
  readonly data: Uint8Array;
}

/** `symbol_size: u16` and `index: u16` after the data. */
const SLIVER_TRAILER_BYTES = 4;

/** BCS length of a `SliverData` holding `dataLength` bytes: their ULEB length, the data, the trailer. */
export function sliverBcsLength(dataLength: number): number {
  return ulebLength(dataLength) + dataLength + SLIVER_TRAILER_BYTES;
}

/** BCS `SliverData`: `Symbols { data: vector<u8>, symbol_size: u16 }` then `index: u16`. */
export function encodeSliver(sliver: Sliver): Uint8Array {
  const frame = sliverBcsFrame(sliver.data.length, sliver.symbolSize, sliver.index);
  frame.data.set(sliver.data);
  return frame.bcs;
}

/**
 * The BCS `SliverData` of a sliver whose data is still to be filled in, sized exactly: its length
 * prefix and trailer written, `data` the view of `bcs` that holds the symbols. Lets a sliver be
 * read straight into the bytes sent (a file-backed encoding), so it is copied once, not twice.
 */
export function sliverBcsFrame(dataLength: number, symbolSize: number, index: number): { readonly bcs: Uint8Array; readonly data: Uint8Array } {
  const prefix = ulebLength(dataLength);
  const bcs = new Uint8Array(sliverBcsLength(dataLength));
  bcs.set(new BcsWriter(prefix).uleb128(dataLength).toBytes());
  bcs.set(new BcsWriter(SLIVER_TRAILER_BYTES).u16(symbolSize).u16(index).toBytes(), prefix + dataLength);
  return { bcs, data: bcs.subarray(prefix, prefix + dataLength) };
}

/** Parses BCS `SliverData`; the type comes from context (the route), as it does on the wire. */
export function decodeSliver(bytes: Uint8Array, type: SliverType): Sliver {
  const reader = new BcsReader(bytes, 'SliverData');
  const data = reader.bytes();
  const symbolSize = reader.u16();
  const index = reader.u16();
  reader.end();
  if (symbolSize === 0 || data.length % symbolSize !== 0) {
    reader.fail(`${data.length} data bytes are not whole symbols of ${symbolSize} bytes`);
  }
  return { type, index, symbolSize, data };
}
