/**
 * Our encoder against the official one (@mysten/walrus-wasm, compiled from walrus-core): blob ID,
 * root hash, every pair's hashes and every sliver's BCS bytes must be identical, for every kernel.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBlob, type EncodedBlob } from '../../src/codec/encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { encodeSliver } from '../../src/codec/sliver.ts';
import { secondarySliverIndex } from '../../src/codec/blob-id.ts';
import { allKernels } from '../fixtures/kernels.ts';
import { oracleEncodeOnce } from '../fixtures/oracle.ts';
import { randomBytes, seededRandom } from '../fixtures/random.ts';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function assertMatchesOracle(blob: Uint8Array, n: number, ours: EncodedBlob): void {
  const oracle = oracleEncodeOnce(blob, n);
  const label = `n=${n} size=${blob.length}`;
  assert.equal(hex(ours.blobId), hex(oracle.blobId), `blob ID, ${label}`);
  assert.equal(hex(ours.rootHash), hex(oracle.rootHash), `root hash, ${label}`);
  assert.equal(ours.metadata.unencodedLength, oracle.unencodedLength);
  assert.equal(ours.metadata.hashes.length, n);
  for (let i = 0; i < n; i++) {
    assert.equal(hex(ours.metadata.hashes[i].primary), hex(oracle.hashes[i].primary), `pair ${i} primary hash, ${label}`);
    assert.equal(hex(ours.metadata.hashes[i].secondary), hex(oracle.hashes[i].secondary), `pair ${i} secondary hash, ${label}`);
    const primary = encodeSliver({ type: 'primary', index: i, symbolSize: ours.symbolSize, data: ours.primarySliver(i) });
    assert.ok(Buffer.from(primary).equals(Buffer.from(oracle.primaryBcs[i])), `pair ${i} primary sliver, ${label}`);
    const j = secondarySliverIndex(i, n);
    const secondary = encodeSliver({ type: 'secondary', index: j, symbolSize: ours.symbolSize, data: ours.secondarySliver(j) });
    assert.ok(Buffer.from(secondary).equals(Buffer.from(oracle.secondaryBcs[i])), `pair ${i} secondary sliver, ${label}`);
  }
}

/** Sizes around every interesting boundary of n's symbol-size steps. */
function boundarySizes(params: EncodingParams): number[] {
  const k = params.sourceSymbols;
  return [0, 1, 2, 3, 2 * k - 1, 2 * k, 2 * k + 1, 4 * k - 1, 4 * k + 3, 64 * k + 1, 65 * k - 7];
}

for (const kernel of allKernels()) {
  describe(`RS2 encoding matches @mysten/walrus-wasm (${kernel.name} kernel)`, () => {
    for (const n of [4, 7, 10, 13, 31, 100]) {
      const params = EncodingParams.forShards(n);
      test(`n=${n}: boundary sizes`, () => {
        for (const [i, size] of boundarySizes(params).entries()) {
          const blob = randomBytes(size, n * 1000 + i);
          assertMatchesOracle(blob, n, encodeBlob(blob, params, kernel));
        }
      });
      test(`n=${n}: seeded random sizes`, () => {
        const next = seededRandom(n);
        for (let i = 0; i < 4; i++) {
          const size = Math.floor(next() * 40 * params.sourceSymbols);
          const blob = randomBytes(size, 7 * n + i);
          assertMatchesOracle(blob, n, encodeBlob(blob, params, kernel));
        }
      });
    }

    test('n=4: the maximum blob size', () => {
      const params = EncodingParams.forShards(4);
      const blob = randomBytes(params.maxBlobSize, 4);
      assertMatchesOracle(blob, 4, encodeBlob(blob, params, kernel));
    });

    // test/cli/blob-id.test.ts and file-encoder-differential.test.ts use two of these blobs too,
    // so the oracle, ~2 s of CPU per blob at n = 1000, encodes each once for the suite.
    test('n=1000: small, odd and multi-symbol blobs', () => {
      const params = EncodingParams.forShards(1000);
      const sizes = kernel.name === 'portable' ? [11] : [0, 11, 2 * params.sourceSymbols + 1, 333_333];
      for (const size of sizes) {
        const blob = randomBytes(size, size);
        assertMatchesOracle(blob, 1000, encodeBlob(blob, params, kernel));
      }
    });
  });
}
