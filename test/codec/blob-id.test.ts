/** Blob-ID text form, Move u256 form, and the pair ↔ shard rotation (docs/protocol.md §2.5, §3.1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  blobIdFromU256,
  blobIdToString,
  blobIdToU256,
  pairIndexToShard,
  parseBlobId,
  rotationOffset,
  secondarySliverIndex,
  shardToPairIndex,
} from '../../src/codec/blob-id.ts';
import { InvalidBlobIdError } from '../../src/codec/errors.ts';

const HELLO_ID = 'vldooumlbSRuiUvv54k0MowsF5afG7SVC0b9oXufbzQ';

test('text form round-trips', () => {
  const bytes = parseBlobId(HELLO_ID);
  assert.equal(bytes.length, 32);
  assert.equal(blobIdToString(bytes), HELLO_ID);
});

test('parsing is strict', () => {
  const bad = [
    '',
    HELLO_ID.slice(0, 42),
    HELLO_ID + 'A',
    HELLO_ID + '=',
    HELLO_ID.replace('v', '+'),
    HELLO_ID.replace('v', '/'),
    HELLO_ID.slice(0, 42) + 'R', // non-zero padding bits in the last character
    ' ' + HELLO_ID.slice(1),
  ];
  for (const text of bad) assert.throws(() => parseBlobId(text), InvalidBlobIdError, JSON.stringify(text));
});

test('u256 form reads the bytes little-endian', () => {
  const bytes = new Uint8Array(32);
  bytes[0] = 1;
  assert.equal(blobIdToU256(bytes), 1n);
  bytes[31] = 0x80;
  assert.equal(blobIdToU256(bytes), (0x80n << 248n) | 1n);
  const id = parseBlobId(HELLO_ID);
  assert.deepEqual(blobIdFromU256(blobIdToU256(id)), id);
  assert.throws(() => blobIdFromU256(1n << 256n), RangeError);
});

test('rotation reads the bytes big-endian, and pair ↔ shard are inverse', () => {
  const id = parseBlobId(HELLO_ID);
  assert.equal(rotationOffset(id, 1000), 604);
  assert.equal(pairIndexToShard(0, id, 1000), 604);
  assert.equal(pairIndexToShard(396, id, 1000), 0);
  for (let pair = 0; pair < 1000; pair += 37) assert.equal(shardToPairIndex(pairIndexToShard(pair, id, 1000), id, 1000), pair);
  assert.equal(secondarySliverIndex(0, 1000), 999);
});
