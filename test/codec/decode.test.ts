/** Decoding from any p primary or s secondary slivers, verification, and the consistency checks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBlob } from '../../src/codec/decoder.ts';
import { encodeBlob, type EncodedBlob } from '../../src/codec/encoder.ts';
import { DecodingError, InconsistentBlobError, InvalidMetadataError, InvalidSliverError } from '../../src/codec/errors.ts';
import type { BlobMetadataWithId } from '../../src/codec/metadata.ts';
import { verifyMetadata } from '../../src/codec/metadata.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { encodeSliver, type Sliver, type SliverType } from '../../src/codec/sliver.ts';
import { verifySliver, verifySlivers } from '../../src/codec/verify-sliver.ts';
import { allKernels } from '../fixtures/kernels.ts';
import { oracleDecode } from '../fixtures/oracle.ts';
import { randomBytes, randomSubset } from '../fixtures/random.ts';

function slivers(encoded: EncodedBlob, type: SliverType, indices: number[]): Sliver[] {
  const sliver = (index: number) => (type === 'primary' ? encoded.primarySliver(index) : encoded.secondarySliver(index));
  return indices.map((index) => ({ type, index, symbolSize: encoded.symbolSize, data: sliver(index) }));
}

function withId(encoded: EncodedBlob): BlobMetadataWithId {
  return { blobId: encoded.blobId, metadata: encoded.metadata };
}

for (const kernel of allKernels()) {
  describe(`decoding (${kernel.name} kernel)`, () => {
    for (const n of [4, 10, 31, 100]) {
      const params = EncodingParams.forShards(n);
      const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;

      test(`n=${n}: any p primary slivers rebuild the blob`, () => {
        for (const [trial, size] of [0, 1, 77, 5 * params.sourceSymbols + 3].entries()) {
          const blob = randomBytes(size, n + trial);
          const encoded = encodeBlob(blob, params, kernel);
          const subset = randomSubset(n, p, 31 * n + trial);
          assert.deepEqual(decodeBlob(withId(encoded), slivers(encoded, 'primary', subset), params, kernel), blob);
        }
      });

      test(`n=${n}: any s secondary slivers rebuild the blob`, () => {
        const blob = randomBytes(3 * params.sourceSymbols + 11, n);
        const encoded = encodeBlob(blob, params, kernel);
        const subset = randomSubset(n, s, 17 * n);
        assert.deepEqual(decodeBlob(withId(encoded), slivers(encoded, 'secondary', subset), params, kernel), blob);
      });

      test(`n=${n}: only repair slivers, and every strictness level`, () => {
        const blob = randomBytes(2 * params.sourceSymbols, 5 * n);
        const encoded = encodeBlob(blob, params, kernel);
        const repair = Array.from({ length: p }, (_, i) => n - 1 - i);
        for (const consistencyCheck of ['default', 'strict', 'skip'] as const) {
          const decoded = decodeBlob(withId(encoded), slivers(encoded, 'primary', repair), params, kernel, { consistencyCheck });
          assert.deepEqual(decoded, blob, consistencyCheck);
        }
      });
    }

    test('the official decoder agrees on what our slivers hold', () => {
      const params = EncodingParams.forShards(10);
      const blob = randomBytes(1234, 99);
      const encoded = encodeBlob(blob, params, kernel);
      const subset = randomSubset(10, params.primarySourceSymbols, 3);
      const bcs = slivers(encoded, 'primary', subset).map((sliver) => encodeSliver(sliver));
      assert.deepEqual(oracleDecode(10, encoded.blobId, blob.length, bcs), blob);
    });

    test('too few or mixed slivers are refused', () => {
      const params = EncodingParams.forShards(10);
      const encoded = encodeBlob(randomBytes(500, 1), params, kernel);
      const few = slivers(encoded, 'primary', [0, 1, 2]);
      assert.throws(() => decodeBlob(withId(encoded), few, params, kernel), DecodingError);
      const duplicated = slivers(encoded, 'primary', [5, 5, 5, 5]);
      assert.throws(() => decodeBlob(withId(encoded), duplicated, params, kernel), DecodingError);
      const mixed = [...slivers(encoded, 'primary', [0, 1]), ...slivers(encoded, 'secondary', [2, 3])];
      assert.throws(() => decodeBlob(withId(encoded), mixed, params, kernel), DecodingError);
    });
  });

  describe(`verification (${kernel.name} kernel)`, () => {
    const params = EncodingParams.forShards(31);
    const blob = randomBytes(10_000, 31);
    const encoded = encodeBlob(blob, params, kernel);

    test('authentic slivers of both types verify', () => {
      const all = [...slivers(encoded, 'primary', [0, 7, 30]), ...slivers(encoded, 'secondary', [0, 15, 30])];
      assert.deepEqual(verifySlivers(all, encoded.metadata, params, kernel), all.map(() => null));
    });

    test('a corrupted sliver is rejected and does not taint the others', () => {
      const [good, bad] = slivers(encoded, 'primary', [3, 4]);
      const flipped = bad.data.slice();
      flipped[flipped.length - 1] ^= 1;
      const results = verifySlivers([good, { ...bad, data: flipped }], encoded.metadata, params, kernel);
      assert.equal(results[0], null);
      assert.ok(results[1] instanceof InvalidSliverError);
    });

    test('a sliver presented under another index, size or symbol size is rejected', () => {
      const [sliver] = slivers(encoded, 'secondary', [9]);
      const cases: Sliver[] = [
        { ...sliver, index: 10 },
        { ...sliver, index: 31 },
        { ...sliver, type: 'primary' },
        { ...sliver, symbolSize: sliver.symbolSize + 2 },
        { ...sliver, data: sliver.data.subarray(2) },
      ];
      for (const bad of cases) assert.throws(() => verifySliver(bad, encoded.metadata, params, kernel), InvalidSliverError);
    });

    test('metadata are checked against the blob ID', () => {
      verifyMetadata(encoded.blobId, encoded.metadata, params, kernel);
      const otherId = encodeBlob(randomBytes(10_000, 32), params, kernel).blobId;
      assert.throws(() => verifyMetadata(otherId, encoded.metadata, params, kernel), InvalidMetadataError);
      const lying = { ...encoded.metadata, unencodedLength: encoded.metadata.unencodedLength - 1 };
      assert.throws(() => verifyMetadata(encoded.blobId, lying, params, kernel), InvalidMetadataError);
      const short = { ...encoded.metadata, hashes: encoded.metadata.hashes.slice(1) };
      assert.throws(() => verifyMetadata(encoded.blobId, short, params, kernel), InvalidMetadataError);
      const tooLong = { ...encoded.metadata, unencodedLength: params.maxBlobSize + 1 };
      assert.throws(() => verifyMetadata(encoded.blobId, tooLong, params, kernel), InvalidMetadataError);
    });

    test('inconsistent encodings are caught by the default and strict checks', () => {
      // A byzantine writer: slivers of one blob under the metadata of another of the same size.
      const other = encodeBlob(randomBytes(10_000, 33), params, kernel);
      const repair = slivers(other, 'primary', Array.from({ length: params.primarySourceSymbols }, (_, i) => 30 - i));
      for (const consistencyCheck of ['default', 'strict'] as const) {
        assert.throws(
          () => decodeBlob(withId(encoded), repair, params, kernel, { consistencyCheck }),
          InconsistentBlobError,
          consistencyCheck,
        );
      }
      assert.deepEqual(decodeBlob(withId(encoded), repair, params, kernel, { consistencyCheck: 'skip' }).length, 10_000);
    });
  });
}
