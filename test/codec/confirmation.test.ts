/** Storage-confirmation message bytes and the signers bitmap (docs/protocol.md §4.6). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bitmapToSigners,
  decodeConfirmation,
  encodeConfirmation,
  signersToBitmap,
} from '../../src/codec/confirmation.ts';
import { MalformedBcsError } from '../../src/codec/errors.ts';

const blobId = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const objectId = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);

test('permanent confirmations are 40 bytes: intent, epoch LE, blob ID, 0x00', () => {
  const bytes = encodeConfirmation({ epoch: 0x01020304, blobId, persistence: { kind: 'permanent' } });
  assert.equal(bytes.length, 40);
  assert.deepEqual([...bytes.subarray(0, 7)], [1, 0, 3, 4, 3, 2, 1]);
  assert.deepEqual(bytes.subarray(7, 39), blobId);
  assert.equal(bytes[39], 0);
  assert.deepEqual(decodeConfirmation(bytes), { epoch: 0x01020304, blobId, persistence: { kind: 'permanent' } });
});

test('deletable confirmations carry the Blob object ID: 72 bytes', () => {
  const message = { epoch: 7, blobId, persistence: { kind: 'deletable', objectId } } as const;
  const bytes = encodeConfirmation(message);
  assert.equal(bytes.length, 72);
  assert.equal(bytes[39], 1);
  assert.deepEqual(bytes.subarray(40), objectId);
  assert.deepEqual(decodeConfirmation(bytes), message);
});

test('other intents and malformed bytes are refused', () => {
  const bytes = encodeConfirmation({ epoch: 1, blobId, persistence: { kind: 'permanent' } });
  for (const [at, value] of [[0, 2], [1, 1], [2, 0], [39, 2]]) {
    const bad = bytes.slice();
    bad[at] = value;
    assert.throws(() => decodeConfirmation(bad), MalformedBcsError, `byte ${at} = ${value}`);
  }
  assert.throws(() => decodeConfirmation(bytes.subarray(0, 39)), MalformedBcsError);
  assert.throws(() => decodeConfirmation(Uint8Array.of(...bytes, 0)), MalformedBcsError);
});

test('signers bitmap: member i is bit i % 8 of byte i / 8', () => {
  assert.deepEqual([...signersToBitmap([0, 3, 8, 9], 10)], [0b0000_1001, 0b0000_0011]);
  assert.deepEqual(bitmapToSigners(Uint8Array.of(0b1001, 0b11), 10), [0, 3, 8, 9]);
  assert.deepEqual(bitmapToSigners(Uint8Array.of(0b1), 10), [0], 'a shorter bitmap names fewer members');
  assert.throws(() => bitmapToSigners(Uint8Array.of(0, 0b100), 10), RangeError, 'bit past the committee');
  assert.throws(() => bitmapToSigners(new Uint8Array(3), 10), RangeError, 'too long');
  assert.throws(() => signersToBitmap([10], 10), RangeError);
});
