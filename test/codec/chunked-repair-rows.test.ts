/**
 * Encoding under a repair-row budget: the encode only hashes the repair rows and regenerates them
 * chunk by chunk; metadata and every sliver must be byte-identical to the official encoder's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { encodeSliver } from '../../src/codec/sliver.ts';
import { allKernels } from '../fixtures/kernels.ts';
import { oracleEncode } from '../fixtures/oracle.ts';
import { randomBytes } from '../fixtures/random.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

for (const kernel of allKernels()) {
  test(`chunked repair rows equal the official encoder's slivers (${kernel.name})`, async () => {
    for (const [n, size] of [
      [10, 5_000],
      [31, 100_003],
      [100, 40_000],
    ]) {
      const blob = randomBytes(size, n);
      const params = EncodingParams.forShards(n);
      const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
      const rowBytes = s * params.symbolSize(size);
      // Three repair rows per chunk: several chunks, the last one short.
      const encoded = encodeBlob(blob, params, kernel, { repairRowBudget: 3 * rowBytes + 1 });
      const oracle = oracleEncode(blob, n);
      const label = `n=${n} size=${size}`;
      assert.equal(hex(encoded.blobId), hex(oracle.blobId), label);
      assert.equal(encoded.repairRowChunks.length, Math.ceil((n - p) / 3), label);
      assert.throws(() => encoded.primarySliver(p), RangeError, 'no chunk is held before one is loaded');
      for (const [chunk, { start, end }] of encoded.repairRowChunks.entries()) {
        await encoded.loadRepairRows(chunk);
        for (let i = start; i < end; i++) {
          const bcs = encodeSliver({ type: 'primary', index: i, symbolSize: encoded.symbolSize, data: encoded.primarySliver(i) });
          assert.equal(hex(bcs), hex(oracle.primaryBcs[i]), `${label} primary ${i}`);
        }
        if (end < n) assert.throws(() => encoded.primarySliver(end), RangeError, 'only the loaded chunk is held');
      }
      assert.equal(hex(encodeSliver({ type: 'primary', index: 0, symbolSize: encoded.symbolSize, data: encoded.primarySliver(0) })), hex(oracle.primaryBcs[0]), 'systematic rows need no chunk');
      encoded.releaseRepairRows();
      assert.throws(() => encoded.primarySliver(n - 1), RangeError, 'released');
    }
  });
}

test('a budget above the repair rows keeps them all from the encode, as without one', () => {
  const blob = randomBytes(20_000, 3);
  const params = EncodingParams.forShards(10);
  const encoded = encodeBlob(blob, params, allKernels().at(-1)!, { repairRowBudget: 1 << 30 });
  assert.deepEqual(encoded.repairRowChunks, [{ start: params.primarySourceSymbols, end: 10 }]);
  encoded.releaseRepairRows();
  assert.equal(encoded.primarySliver(9).length, params.secondarySourceSymbols * encoded.symbolSize, 'one chunk stays held');
});
