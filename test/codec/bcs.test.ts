/** BCS forms of BlobMetadata, BlobMetadataWithId and SliverData (docs/protocol.md §2.4, §4.4). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { MalformedBcsError } from '../../src/codec/errors.ts';
import {
  decodeBlobMetadata,
  decodeBlobMetadataWithId,
  encodeBlobMetadata,
  encodeBlobMetadataWithId,
  metadataBcsLength,
} from '../../src/codec/metadata.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { decodeSliver, encodeSliver } from '../../src/codec/sliver.ts';
import { fastKernel } from '../fixtures/kernels.ts';
import { oracleEncode } from '../fixtures/oracle.ts';

const blob = new TextEncoder().encode('hello world');
const encoded = encodeBlob(blob, EncodingParams.forShards(10), fastKernel());

test('BlobMetadataWithId is the blob ID, then BlobMetadata', () => {
  const withId = encodeBlobMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata });
  const bare = encodeBlobMetadata(encoded.metadata);
  assert.equal(bare.length, metadataBcsLength(10));
  assert.deepEqual(withId.subarray(0, 32), encoded.blobId);
  assert.deepEqual(withId.subarray(32), bare);
  assert.equal(withId[32], 0, 'V1 tag');
  assert.equal(withId[33], 1, 'encoding type RS2 at byte 33');
  const decoded = decodeBlobMetadataWithId(withId);
  assert.deepEqual(decoded.blobId, encoded.blobId);
  assert.deepEqual(decoded.metadata, encoded.metadata);
  assert.deepEqual(decodeBlobMetadata(bare), encoded.metadata);
});

test('n=1000 metadata sizes', () => {
  assert.equal(metadataBcsLength(1000), 66_012);
  assert.equal(32 + metadataBcsLength(1000), 66_044);
});

test('malformed metadata is refused', () => {
  const bare = encodeBlobMetadata(encoded.metadata);
  const legacy = bare.slice();
  legacy[1] = 0;
  assert.throws(() => decodeBlobMetadata(legacy), MalformedBcsError, 'encoding type 0');
  const version = bare.slice();
  version[0] = 1;
  assert.throws(() => decodeBlobMetadata(version), MalformedBcsError, 'unknown version');
  assert.throws(() => decodeBlobMetadata(bare.subarray(0, bare.length - 1)), MalformedBcsError, 'truncated');
  assert.throws(() => decodeBlobMetadata(Uint8Array.of(...bare, 0)), MalformedBcsError, 'trailing byte');
  const badNode = bare.slice();
  badNode[11] = 7;
  assert.throws(() => decodeBlobMetadata(badNode), MalformedBcsError, 'unknown node tag');
});

test('SliverData round-trips and matches the official bytes', () => {
  const oracle = oracleEncode(blob, 10);
  const bytes = encodeSliver({ type: 'primary', index: 3, symbolSize: encoded.symbolSize, data: encoded.primarySliver(3) });
  assert.deepEqual(bytes, oracle.primaryBcs[3]);
  const sliver = decodeSliver(bytes, 'primary');
  assert.equal(sliver.index, 3);
  assert.equal(sliver.symbolSize, encoded.symbolSize);
  assert.deepEqual(sliver.data, encoded.primarySliver(3));
  assert.throws(() => decodeSliver(bytes.subarray(0, bytes.length - 1), 'primary'), MalformedBcsError);
  assert.throws(() => decodeSliver(Uint8Array.of(...bytes, 0), 'primary'), MalformedBcsError);
  const zeroSymbol = bytes.slice();
  zeroSymbol[bytes.length - 4] = 0;
  zeroSymbol[bytes.length - 3] = 0;
  assert.throws(() => decodeSliver(zeroSymbol, 'primary'), MalformedBcsError, 'symbol size 0');
});
