/**
 * The file-backed encoder against the official one (@mysten/walrus-wasm): a blob spooled to a
 * file and encoded stripe by stripe must give the blob ID, root hash, every pair's hashes and every
 * sliver's BCS bytes of the official encoder — for stripes of one row or column, stripes that end
 * mid-matrix, and one stripe for everything; for blobs that end mid-row, on a row and on the matrix.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { secondarySliverIndex } from '../../src/codec/blob-id.ts';
import { encodeBlobFile } from '../../src/codec/file-encoder.ts';
import type { CodecKernel } from '../../src/codec/kernel/kernel.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { SpoolDirectory } from '../../src/http/spool-directory.ts';
import { allKernels, fastKernel } from '../fixtures/kernels.ts';
import { oracleEncodeOnce } from '../fixtures/oracle.ts';
import { randomBytes } from '../fixtures/random.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('encoding from a file, in stripes, matches @mysten/walrus-wasm', () => {
  let dir: string;
  let spool: SpoolDirectory;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'walrus-file-encoder-'));
    spool = await SpoolDirectory.open(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function assertMatchesOracle(blob: Uint8Array, n: number, stripeBytes: number, kernel: CodecKernel): Promise<void> {
    const params = EncodingParams.forShards(n);
    const file = await spool.create();
    try {
      await file.write(blob, 0);
      const ours = await encodeBlobFile(file, blob.length, params, kernel, { stripeBytes });
      const oracle = oracleEncodeOnce(blob, n);
      const label = `n=${n} size=${blob.length} stripe=${stripeBytes} ${kernel.name}`;
      assert.equal(hex(ours.blobId), hex(oracle.blobId), `blob ID, ${label}`);
      assert.equal(hex(ours.rootHash), hex(oracle.rootHash), `root hash, ${label}`);
      assert.equal(ours.metadata.unencodedLength, blob.length);
      for (let i = 0; i < n; i++) {
        assert.equal(hex(ours.metadata.hashes[i].primary), hex(oracle.hashes[i].primary), `pair ${i} primary hash, ${label}`);
        assert.equal(hex(ours.metadata.hashes[i].secondary), hex(oracle.hashes[i].secondary), `pair ${i} secondary hash, ${label}`);
        assert.ok(Buffer.from(await ours.sliverBcs('primary', i)).equals(oracle.primaryBcs[i]), `pair ${i} primary sliver, ${label}`);
        assert.ok(Buffer.from(await ours.sliverBcs('secondary', secondarySliverIndex(i, n))).equals(oracle.secondaryBcs[i]), `pair ${i} secondary sliver, ${label}`);
      }
    } finally {
      file.close();
    }
  }

  /** Stripe sizes that cut the matrix in every way: one row/column, uneven, exact, all at once. */
  function stripes(params: EncodingParams, ss: number): number[] {
    const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
    const row = s * ss;
    const column = p * ss;
    return [1, 2 * row + 1, 3 * column - 1, 2 * column, p * row];
  }

  for (const n of [10, 31, 100]) {
    test(`n=${n}: sizes around rows and the matrix, every stripe size`, async () => {
      const params = EncodingParams.forShards(n);
      const k = params.sourceSymbols;
      const s = params.secondarySourceSymbols;
      // Mid-row, one byte short of a row, on a row, one past, the whole matrix, and a larger symbol.
      for (const [i, size] of [1, 2 * s - 1, 2 * s, 2 * s + 1, 2 * k, 40 * k - 3].entries()) {
        const blob = randomBytes(size, n * 100 + i);
        for (const stripe of stripes(params, params.symbolSize(size))) await assertMatchesOracle(blob, n, stripe, fastKernel());
      }
    });
  }

  test('every kernel gives the same bytes (n=13, uneven stripes)', async () => {
    const params = EncodingParams.forShards(13);
    const blob = randomBytes(7 * params.sourceSymbols + 5, 13);
    const ss = params.symbolSize(blob.length);
    for (const kernel of allKernels()) await assertMatchesOracle(blob, 13, 2 * params.secondarySourceSymbols * ss + 3, kernel);
  });

  test('n=1000: a multi-symbol blob in a few stripes', async () => {
    const params = EncodingParams.forShards(1000);
    // The multi-symbol blob test/codec/differential.test.ts encodes too (the same size and seed), so
    // the oracle's encoding of it is made once for both files (see oracleEncodeOnce).
    const size = 2 * params.sourceSymbols + 1;
    const blob = randomBytes(size, size);
    const ss = params.symbolSize(blob.length);
    await assertMatchesOracle(blob, 1000, 100 * params.secondarySourceSymbols * ss, fastKernel());
  });

  test('an empty blob, and a file longer than the blob (its tail is not part of it)', async () => {
    await assertMatchesOracle(new Uint8Array(0), 10, 1, fastKernel());
    const params = EncodingParams.forShards(10);
    const blob = randomBytes(500, 5);
    const file = await spool.create();
    try {
      await file.write(randomBytes(900, 6), 0);
      await file.write(blob, 0);
      const ours = await encodeBlobFile(file, blob.length, params, fastKernel(), { stripeBytes: 64 });
      assert.equal(hex(ours.blobId), hex(oracleEncodeOnce(blob, 10).blobId));
    } finally {
      file.close();
    }
  });
});
