/**
 * A file-backed encode that is aborted (the client left) or whose file fails (a full disk) rejects
 * with that reason, and only once every read and write it started has ended: nothing touches its
 * buffers or the file afterwards, and nothing is left to reject unhandled.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBlobFile, type BlobFile } from '../../src/codec/file-encoder.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { fastKernel } from '../fixtures/kernels.ts';
import { randomBytes } from '../fixtures/random.ts';

/** A file in memory that counts the I/O in flight and can fail or abort on the n-th write or read. */
class MemoryFile implements BlobFile {
  bytes: Uint8Array;
  inFlight = 0;
  reads = 0;
  writes = 0;
  onRead: (count: number) => void = () => {};
  onWrite: (count: number) => void = () => {};

  constructor(content: Uint8Array) {
    this.bytes = content.slice();
  }

  async read(into: Uint8Array, position: number): Promise<void> {
    const count = ++this.reads;
    await this.io(() => this.onRead(count));
    into.set(this.bytes.subarray(position, position + into.length));
  }

  async write(from: Uint8Array, position: number): Promise<void> {
    const count = ++this.writes;
    await this.io(() => this.onWrite(count));
    this.bytes.set(from, position);
  }

  async truncate(length: number): Promise<void> {
    const next = new Uint8Array(length);
    next.set(this.bytes.subarray(0, Math.min(length, this.bytes.length)));
    this.bytes = next;
  }

  hold(): () => void {
    return () => {};
  }

  /** A turn of the event loop, as real I/O takes. */
  private async io(hook: () => void): Promise<void> {
    this.inFlight++;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      hook();
    } finally {
      this.inFlight--;
    }
  }
}

describe('a file-backed encode that cannot finish', () => {
  const params = EncodingParams.forShards(10);
  const blob = randomBytes(20_000, 1);

  test('aborted before it starts, it rejects with the signal\'s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('the client left');
    controller.abort(reason);
    await assert.rejects(encodeBlobFile(new MemoryFile(blob), blob.length, params, fastKernel(), { stripeBytes: 1, signal: controller.signal }), (error) => error === reason);
  });

  test('aborted mid-way, it stops at the next stripe, after the I/O in flight', async () => {
    const file = new MemoryFile(blob);
    const controller = new AbortController();
    const reason = new Error('the client left');
    file.onWrite = (count) => {
      if (count === 5) controller.abort(reason);
    };
    await assert.rejects(encodeBlobFile(file, blob.length, params, fastKernel(), { stripeBytes: 1, signal: controller.signal }), (error) => error === reason);
    assert.equal(file.inFlight, 0, 'no read or write outlives the encode');
    const writes = file.writes;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(file.writes, writes, 'and none starts afterwards');
  });

  for (const [what, fail] of [
    ['a write', (file: MemoryFile, error: Error) => (file.onWrite = (count) => { if (count === 3) throw error; })],
    ['a read of whole rows', (file: MemoryFile, error: Error) => (file.onRead = (count) => { if (count === 2) throw error; })],
    // Past the 4 row reads (n = 10: p = 4 rows, one a stripe): a column stripe is read row by row, in parallel.
    ['a read of a column stripe', (file: MemoryFile, error: Error) => (file.onRead = (count) => { if (count === 6) throw error; })],
  ] as const) {
    test(`${what} that fails rejects the encode with that error, after the I/O in flight`, async () => {
      const file = new MemoryFile(blob);
      const error = new Error('ENOSPC: no space left on device');
      fail(file, error);
      await assert.rejects(encodeBlobFile(file, blob.length, params, fastKernel(), { stripeBytes: 1 }), (thrown) => thrown === error);
      assert.equal(file.inFlight, 0);
    });
  }
});
