/**
 * Our QuiltV1 encoder against the official TS SDK's `encodeQuilt` (docs/protocol.md §2.7): the same
 * quilt bytes, the same index ranges and the same patch IDs, over many file sets and shard counts;
 * and the quilt's blob ID, from our RS2 encoder, equal to @mysten/walrus-wasm's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeQuilt } from '@mysten/walrus';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { encodeQuiltPatchId, encodeQuiltV1, QuiltError, type QuiltInput } from '../../src/codec/quilt.ts';
import { fastKernel } from '../fixtures/kernels.ts';
import { oracleEncodeOnce } from '../fixtures/oracle.ts';
import { randomBytes, seededRandom } from '../fixtures/random.ts';

/**
 * The SDK's own patch-ID writer. `@mysten/walrus` exports only `encodeQuilt` of its quilt helpers,
 * so, as test/fixtures/walrus-sdk.ts does for its pieces, the dist file is imported by URL.
 */
interface SdkQuiltHelpers {
  encodeQuiltPatchId(id: { quiltId: string; patchId: { version: number; startIndex: number; endIndex: number } }): string;
}
const sdkQuilts = (await import(new URL('./utils/quilts.mjs', import.meta.resolve('@mysten/walrus')).href)) as SdkQuiltHelpers;

const SHARD_COUNTS = [4, 7, 10, 100, 1000];
/** Blob IDs through wasm at n = 1000 cost ~0.1 s each: checked for these sets only. */
const BLOB_ID_SETS_AT_1000 = new Set(['one file', '120 small files']);
const text = (value: string) => new TextEncoder().encode(value);

function smallFiles(count: number, seed: number, tagged: (i: number) => boolean): QuiltInput[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    identifier: `file-${String(i).padStart(3, '0')}.bin`,
    contents: randomBytes(Math.floor(next() * 300), seed * 1000 + i),
    ...(tagged(i) ? { tags: { index: String(i), kind: i % 2 ? 'odd' : 'even' } } : {}),
  }));
}

/** File sets, each in an order other than the sorted one so the sort is exercised. */
const FILE_SETS: Record<string, QuiltInput[]> = {
  'one file': [{ identifier: 'hello.txt', contents: text('hello world') }],
  'one empty file': [{ identifier: 'empty', contents: new Uint8Array(0) }],
  'one byte': [{ identifier: 'x', contents: Uint8Array.of(0xff) }],
  'two files, one empty': [
    { identifier: 'z', contents: text('last') },
    { identifier: 'a', contents: new Uint8Array(0) },
  ],
  'with and without tags': [
    { identifier: 'readme.md', contents: text('# quilt'), tags: { 'content-type': 'text/markdown' } },
    { identifier: 'data.bin', contents: randomBytes(777, 1) },
    // Keys whose serialized order ("b" before "aa": length prefix first) differs from string order.
    { identifier: 'photo.jpg', contents: randomBytes(1234, 2), tags: { b: '1', aa: '2', ü: 'umlaut', '': 'empty key', c: '' } },
    { identifier: 'no-tags-object', contents: text('x'), tags: {} },
  ],
  'unicode identifiers': [
    { identifier: '日本語.txt', contents: text('nihongo') },
    { identifier: 'ü', contents: text('u') },
    { identifier: 'Zebra', contents: text('Z') },
    { identifier: '_metadata-like', contents: text('underscore') },
    { identifier: 'émoji 😀.png', contents: randomBytes(100, 3), tags: { 'clé': 'välue ✓' } },
  ],
  // U+1F600 is a surrogate pair (0xD83D…) in UTF-16, below U+FF5E; in UTF-8 (F0…) above it (EF…):
  // the SDK puts the emoji first, Rust would not. We follow the SDK.
  'non-BMP against high BMP': [
    { identifier: '\uFF5E', contents: text('fullwidth tilde') },
    { identifier: '😀', contents: text('grinning face') },
  ],
  'multi-column patches': [
    { identifier: 'big', contents: randomBytes(50_000, 4) },
    { identifier: 'small', contents: text('tiny') },
    { identifier: 'medium', contents: randomBytes(9_000, 5), tags: { size: 'medium' } },
  ],
  'long identifiers and tags': Array.from({ length: 6 }, (_, i) => ({
    identifier: `${'long-identifier-'.repeat(12)}${i}`,
    contents: randomBytes(20, 10 + i),
    tags: { description: 'a tag value long enough to weigh in the index as much as in the patch'.repeat(3) },
  })),
  // The index repeats every patch's identifier and tags; with tiny contents it outweighs each
  // patch, and the cheapest layout gives it several columns.
  'index over several columns': Array.from({ length: 2 }, (_, i) => ({
    identifier: `patch-${i}`,
    contents: Uint8Array.of(i),
    tags: { a: 'x'.repeat(4000), b: 'y'.repeat(3000) },
  })),
  '60 small files': smallFiles(60, 6, (i) => i % 3 === 0),
  '120 small files': smallFiles(120, 7, (i) => i % 4 === 0),
};

function patchRanges(patches: readonly { startColumn: number; endColumn: number }[]): [number, number][] {
  return patches.map((patch) => [patch.startColumn, patch.endColumn]);
}

describe('QuiltV1 encoding matches the SDK encodeQuilt', () => {
  for (const [name, files] of Object.entries(FILE_SETS)) {
    test(name, () => {
      let encodedAtSomeN = false;
      for (const n of SHARD_COUNTS) {
        const params = EncodingParams.forShards(n);
        let sdk: ReturnType<typeof encodeQuilt>;
        try {
          sdk = encodeQuilt({ blobs: files.map((file) => ({ ...file, tags: file.tags && { ...file.tags } })), numShards: n });
        } catch (error) {
          // Only "more files than columns" may fail here; ours must refuse it too.
          assert.match(String(error), /Too many blobs/, `n=${n}`);
          assert.throws(() => encodeQuiltV1(files, params), QuiltError, `n=${n}`);
          continue;
        }
        encodedAtSomeN = true;
        const ours = encodeQuiltV1(files, params);
        const label = `${name}, n=${n}`;
        assert.ok(Buffer.from(ours.bytes).equals(Buffer.from(sdk.quilt)), `quilt bytes, ${label}`);
        assert.equal(ours.bytes.length, params.sourceSymbols * ours.symbolSize, label);
        assert.equal(params.symbolSize(ours.bytes.length), ours.symbolSize, `the blob's own symbol size, ${label}`);
        assert.deepEqual(patchRanges(ours.patches), sdk.index.patches.map((patch) => [patch.startIndex, patch.endIndex]), `ranges, ${label}`);
        assert.deepEqual(
          ours.patches.map((patch) => [patch.identifier, patch.tags]),
          sdk.index.patches.map((patch) => [patch.identifier, patch.tags]),
          `identifiers and tags, ${label}`,
        );

        if (n === 1000 && !BLOB_ID_SETS_AT_1000.has(name)) continue;
        const oracle = oracleEncodeOnce(ours.bytes, n);
        assert.equal(blobIdToString(encodeBlob(ours.bytes, params, fastKernel()).blobId), blobIdToString(oracle.blobId), `blob ID, ${label}`);
        for (const patch of ours.patches) {
          const sdkId = sdkQuilts.encodeQuiltPatchId({
            quiltId: blobIdToString(oracle.blobId),
            patchId: { version: 1, startIndex: patch.startColumn, endIndex: patch.endColumn },
          });
          assert.equal(encodeQuiltPatchId(oracle.blobId, patch.startColumn, patch.endColumn), sdkId, `patch ID of ${patch.identifier}, ${label}`);
        }
      }
      assert.ok(encodedAtSomeN, 'the set fits at some shard count');
    });
  }

  // The SDK's symbol-size search has real-valued bounds, Rust's (and ours) integer ones: many
  // random shapes make sure they land on the same size.
  test('seeded random file sets (bytes and ranges)', () => {
    const next = seededRandom(2024);
    for (let round = 0; round < 300; round++) {
      const n = [4, 5, 7, 10, 13, 31, 100][round % 7];
      const params = EncodingParams.forShards(n);
      const count = 1 + Math.floor(next() * (params.secondarySourceSymbols - 1));
      const scale = [10, 300, 5_000, 60_000][Math.floor(next() * 4)];
      const files = Array.from({ length: count }, (_, i) => ({
        identifier: `r${round}-${Math.floor(next() * 1e6)}-${i}`,
        contents: new Uint8Array(Math.floor(next() * next() * scale)),
        ...(next() < 0.3 ? { tags: { t: 'v'.repeat(Math.floor(next() * scale)) } } : {}),
      }));
      const ours = encodeQuiltV1(files, params);
      const sdk = encodeQuilt({ blobs: files, numShards: n });
      const label = `round ${round}, n=${n}, ${count} files`;
      assert.equal(ours.symbolSize, sdk.quilt.length / params.sourceSymbols, `symbol size, ${label}`);
      assert.ok(Buffer.from(ours.bytes).equals(Buffer.from(sdk.quilt)), `quilt bytes, ${label}`);
      assert.deepEqual(patchRanges(ours.patches), sdk.index.patches.map((patch) => [patch.startIndex, patch.endIndex]), `ranges, ${label}`);
    }
  });

  test('the layouts the sets are meant to cover do occur', () => {
    const at10 = EncodingParams.forShards(10);
    assert.ok(encodeQuiltV1(FILE_SETS['index over several columns'], at10).patches[0].startColumn > 1, 'an index over more than one column');
    assert.ok(
      encodeQuiltV1(FILE_SETS['multi-column patches'], at10).patches.some((patch) => patch.endColumn - patch.startColumn > 1),
      'a patch over more than one column',
    );
    const names = encodeQuiltV1(FILE_SETS['non-BMP against high BMP'], at10).patches.map((patch) => patch.identifier);
    assert.deepEqual(names, ['😀', '\uFF5E'], 'UTF-16 order, as the SDK sorts');
  });
});
