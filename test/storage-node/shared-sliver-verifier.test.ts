/**
 * One sliver verifier for every node of a process: slivers of one blob sent to different nodes,
 * each checked against that node's own copy of the metadata, are verified together, and a bad one
 * is refused to its sender alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { InvalidSliverError } from '../../src/codec/errors.ts';
import { selectKernel } from '../../src/codec/kernel/select-kernel.ts';
import { decodeBlobMetadata, encodeBlobMetadata } from '../../src/codec/metadata.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import type { Sliver } from '../../src/codec/sliver.ts';
import { BatchedSliverVerifier } from '../../src/local/storage-node/batched-sliver-verifier.ts';
import { randomBytes } from '../fixtures/random.ts';

const N_SHARDS = 10;

describe('a sliver verifier shared by nodes', () => {
  it('verifies slivers of two blobs from several nodes in one turn, and refuses only the bad one', async () => {
    const kernel = selectKernel();
    const params = EncodingParams.forShards(N_SHARDS);
    const [a, b] = [encodeBlob(randomBytes(5_000, 1), params, kernel), encodeBlob(randomBytes(3_000, 2), params, kernel)];
    const verifier = new BatchedSliverVerifier(kernel);
    // Each node decoded the metadata it was sent: equal contents, distinct objects.
    const nodeCopy = (encoded: typeof a) => decodeBlobMetadata(encodeBlobMetadata(encoded.metadata));
    const primary = (encoded: typeof a, index: number): Sliver => ({ type: 'primary', index, symbolSize: encoded.symbolSize, data: encoded.primarySliver(index) });
    const secondary = (encoded: typeof a, index: number): Sliver => ({ type: 'secondary', index, symbolSize: encoded.symbolSize, data: encoded.secondarySliver(index) });
    const tampered = primary(a, 3);
    const bad: Sliver = { ...tampered, data: tampered.data.map((byte, i) => (i === 0 ? byte ^ 1 : byte)) };
    const check = (encoded: typeof a, sliver: Sliver) => verifier.verify(blobIdToString(encoded.blobId), sliver, nodeCopy(encoded), params);
    const results = await Promise.allSettled([
      check(a, primary(a, 0)),
      check(a, secondary(a, 9)),
      check(a, bad),
      check(b, primary(b, 1)),
      check(a, primary(a, 7)),
      check(b, secondary(b, 2)),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
    const refused = results[2] as PromiseRejectedResult;
    assert.ok(refused.reason instanceof InvalidSliverError);
  });
});
