/** The published vectors (docs/protocol.md §2.6), fixed: blob ID, root hash, rotation, pair-0 hashes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobIdToString, rotationOffset } from '../../src/codec/blob-id.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { fastKernel } from '../fixtures/kernels.ts';

const MIB = 1024 * 1024;
const patterned = Uint8Array.from({ length: MIB }, (_, i) => i & 0xff);
const hello = new TextEncoder().encode('hello world');

const vectors = [
  { n: 1000, name: 'empty', blob: new Uint8Array(0), id: '3GPQL3HZNnFhN_F7l5Aa-X1VOtAKwIsg9zuWk8R81v4', root: 'e3fb10a9d88c9e7157c5e112dd6916e44011f5a9d6460bced51ebacf9308e1da', offset: 422 },
  { n: 1000, name: 'hello world', blob: hello, id: 'vldooumlbSRuiUvv54k0MowsF5afG7SVC0b9oXufbzQ', root: '0de7c5cc07524564b37f2d8b0847119b13692e273b37f27d55da02bf14a2321e', offset: 604 },
  { n: 1000, name: '1 MiB of i & 0xff', blob: patterned, id: 'ADEO6GNBcyqyaP5MiKhfQkliZ-JbIAe0sh_EwAI5D78', root: '05e20e06392087c9ef01f1d407dd11aa9418f7a21974b6b51a8d645ea0356250', offset: 615 },
  { n: 10, name: 'hello world', blob: hello, id: 'kfhAwEGrCYXNqnGv2jNMEVS3pX0yVV5M15csfujtUDg', root: '2eebba7f5dec14b948cbb029c5ce905d98b5ffe36fd57b52388af5dcc2d4bea2', offset: 0 },
];

for (const vector of vectors) {
  test(`n=${vector.n}, ${vector.name}`, () => {
    const encoded = encodeBlob(vector.blob, EncodingParams.forShards(vector.n), fastKernel());
    assert.equal(blobIdToString(encoded.blobId), vector.id);
    assert.equal(Buffer.from(encoded.rootHash).toString('hex'), vector.root);
    assert.equal(rotationOffset(encoded.blobId, vector.n), vector.offset);
  });
}

test('n=1000, hello world: pair-0 hashes', () => {
  const { metadata } = encodeBlob(hello, EncodingParams.forShards(1000), fastKernel());
  assert.equal(Buffer.from(metadata.hashes[0].primary).toString('hex'), '5c87649b22260a7d3957f00b2b4e7c1e5ea08eef292844e06d0076155b2ce2ff');
  assert.equal(Buffer.from(metadata.hashes[0].secondary).toString('hex'), '86de13775bec6028d93f57a6f92e0dcc1cc0025c8e51ec772026a212afb9a490');
});
