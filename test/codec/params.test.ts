/** RS2 parameters, symbol sizes and the pricing formulas (docs/protocol.md §1.1–§1.2, §5.2). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlobTooLargeError, InvalidShardCountError } from '../../src/codec/errors.ts';
import { EncodingParams } from '../../src/codec/params.ts';

test('source symbol counts follow n − 2f and n − f', () => {
  const expected: [number, number, number][] = [[4, 2, 3], [7, 3, 5], [10, 4, 7], [31, 11, 21], [100, 34, 67], [1000, 334, 667]];
  for (const [n, p, s] of expected) {
    const params = EncodingParams.forShards(n);
    assert.deepEqual([params.primarySourceSymbols, params.secondarySourceSymbols], [p, s], `n=${n}`);
  }
  assert.equal(EncodingParams.forShards(1000).f, 333);
});

test('n=1000 sizes, encoded lengths and storage units', () => {
  const params = EncodingParams.forShards(1000);
  const MIB = 1024 * 1024;
  const table: [number, number, number, number, number, number][] = [
    [0, 2, 1334, 668, 66_034_000, 63],
    [1, 2, 1334, 668, 66_034_000, 63],
    [MIB, 6, 4002, 2004, 70_038_000, 67],
    [100 * MIB, 472, 314_824, 157_648, 536_504_000, 512],
    [1024 * MIB, 4820, 3_214_940, 1_609_880, 4_888_852_000, 4663],
  ];
  for (const [size, ss, primary, secondary, encoded, units] of table) {
    assert.equal(params.symbolSize(size), ss, `ss for ${size}`);
    assert.equal(params.primarySliverSize(ss), primary);
    assert.equal(params.secondarySliverSize(ss), secondary);
    assert.equal(params.encodedLength(size), encoded, `encoded length for ${size}`);
    assert.equal(params.storageUnits(size), units, `units for ${size}`);
  }
  // The Move test: encoded_blob_length(1, 1000) = 1000·(2·(334+667) + 1000·2·32 + 32).
  assert.equal(params.encodedLength(1), 1000 * (2 * (334 + 667) + 1000 * 2 * 32 + 32));
});

test('the maximum blob size and the symbol-size cap', () => {
  const params = EncodingParams.forShards(1000);
  assert.equal(params.maxBlobSize, 14_599_533_452);
  assert.equal(params.symbolSize(params.maxBlobSize), 65_534);
  assert.throws(() => params.symbolSize(params.maxBlobSize + 1), BlobTooLargeError);
});

test('symbol sizes are rounded up to even', () => {
  const params = EncodingParams.forShards(4);
  assert.equal(params.symbolSize(6 * 2), 2);
  assert.equal(params.symbolSize(6 * 2 + 1), 4);
  assert.equal(params.symbolSize(6 * 3), 4);
});

test('shard counts RS2 cannot use are refused', () => {
  for (const n of [0, 1, 2, 3, -5, 1.5, 65_536, Number.NaN]) {
    assert.throws(() => EncodingParams.forShards(n), InvalidShardCountError, `n=${n}`);
  }
  // Past 49,155 shards the secondary code needs more than 2^16 codeword positions.
  assert.doesNotThrow(() => EncodingParams.forShards(49_155));
  assert.throws(() => EncodingParams.forShards(49_156), /Reed-Solomon codes do not support it/);
});
