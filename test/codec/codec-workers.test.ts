/**
 * The codec on worker threads (`--codec-workers`): every result byte for byte the inline codec's
 * (encodes, chunked repair rows made on the worker, decodes, row recovery, the codec's own errors);
 * a worker that dies is replaced and fails only its own job, with a 503 CODEC_UNAVAILABLE; a job
 * whose caller leaves is dropped or let go; closing ends every worker and fails what was left.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { InlineCodec } from '../../src/codec/blob-codec.ts';
import { CodecWorkers } from '../../src/codec/codec-workers.ts';
import type { EncodedBlob, EncodedSlivers } from '../../src/codec/encoder.ts';
import type { BlobFile } from '../../src/codec/file-encoder.ts';
import { DecodingError, InconsistentBlobError } from '../../src/codec/errors.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { encodeSliver, type Sliver, type SliverType } from '../../src/codec/sliver.ts';
import { CodecUnavailableError, SpoolUnavailableError } from '../../src/errors/gateway-errors.ts';
import { errorResponse } from '../../src/http/errors.ts';
import { SpoolDirectory, type SpoolFile } from '../../src/http/spool-directory.ts';
import { fastKernel } from '../fixtures/kernels.ts';
import { randomBytes, randomSubset } from '../fixtures/random.ts';

/** test/fixtures/crashing-codec-worker.ts dies on an encode of this many bytes. */
const CRASH_ON_LENGTH = 13;
const CRASHING_ENTRY = new URL('../fixtures/crashing-codec-worker.ts', import.meta.url);
/** Large enough that its encode is still running when the test acts (tens of ms with the native kernel). */
const SLOW_BLOB = 8 * 1024 * 1024;
const SLOW_SHARDS = 1000;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const inline = new InlineCodec(fastKernel());

function slivers(encoded: EncodedBlob, type: SliverType, indices: readonly number[]): Sliver[] {
  return indices.map((index) => ({ type, index, symbolSize: encoded.symbolSize, data: type === 'primary' ? encoded.primarySliver(index) : encoded.secondarySliver(index) }));
}

/** Every sliver's BCS of a one-chunk encoding, as an upload asks for them. */
async function sliversOf(encoded: EncodedSlivers): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < encoded.params.n; i++) out.push(hex(await encoded.sliverBcs('primary', i)), hex(await encoded.sliverBcs('secondary', i)));
  return out;
}

/** Polls `condition` until it holds (a worker's progress is seen only through the pool). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

/** Every sliver's BCS, chunk by chunk, awaiting each chunk's load as an upload does. */
async function allSliverBcs(encoded: EncodedBlob): Promise<string[]> {
  const { n } = encoded.params;
  const out: string[] = [];
  for (let j = 0; j < n; j++) out.push(hex(await encoded.sliverBcs('secondary', j)));
  for (const [chunk, { start, end }] of encoded.repairRowChunks.entries()) {
    await encoded.loadRepairRows(chunk);
    if (chunk === 0) for (let i = 0; i < start; i++) out.push(hex(encodeSliver({ type: 'primary', index: i, symbolSize: encoded.symbolSize, data: encoded.primarySliver(i) })));
    for (let i = start; i < end; i++) out.push(hex(await encoded.sliverBcs('primary', i)));
  }
  encoded.releaseRepairRows();
  return out;
}

describe('codec workers: the same bytes as the inline codec', () => {
  let workers: CodecWorkers;
  before(() => {
    workers = new CodecWorkers({ workers: 2 });
  });
  after(() => workers.close());

  test('encodes: blob ID, root hash, metadata and every sliver', async () => {
    for (const [n, size] of [
      [4, 0],
      [10, 1],
      [31, 100_003],
      [100, 40_000],
    ]) {
      const params = EncodingParams.forShards(n);
      const blob = randomBytes(size, n);
      const [mine, theirs] = await Promise.all([workers.encode(blob, params, {}), inline.encode(blob, params, {})]);
      const label = `n=${n} size=${size}`;
      assert.equal(hex(mine.blobId), hex(theirs.blobId), label);
      assert.equal(hex(mine.rootHash), hex(theirs.rootHash), label);
      assert.deepEqual(mine.metadata, theirs.metadata, label);
      assert.deepEqual(await allSliverBcs(mine), await allSliverBcs(theirs), label);
    }
  });

  test('chunked repair rows are made on a worker when loaded, one chunk held at a time', async () => {
    const params = EncodingParams.forShards(31);
    const blob = randomBytes(100_003, 5);
    const rowBytes = params.secondarySourceSymbols * params.symbolSize(blob.length);
    const options = { repairRowBudget: 3 * rowBytes + 1 };
    const mine = await workers.encode(blob, params, options);
    assert.ok(mine.repairRowChunks.length > 2, `${mine.repairRowChunks.length} chunks`);
    const load = mine.loadRepairRows(1);
    assert.ok(load instanceof Promise, 'a chunk made on a worker is awaited');
    assert.throws(() => mine.primarySliver(mine.repairRowChunks[1].start), RangeError, 'not held until the load settles');
    await load;
    assert.deepEqual(await allSliverBcs(mine), await allSliverBcs(await inline.encode(blob, params, options)));
  });

  test('the caller may change its blob once the encode has answered', async () => {
    const params = EncodingParams.forShards(10);
    const blob = randomBytes(5_000, 9);
    const expected = await allSliverBcs(await inline.encode(blob, params, {}));
    const mine = await workers.encode(blob, params, {});
    blob.fill(0);
    assert.deepEqual(await allSliverBcs(mine), expected, 'the encoding reads its own copy of the blob');
  });

  test('decodes from primary or secondary slivers, repair ones included, and recovers rows', async () => {
    const n = 31;
    const params = EncodingParams.forShards(n);
    const { primarySourceSymbols: p, secondarySourceSymbols: s } = params;
    const blob = randomBytes(60_001, 7);
    const encoded = await inline.encode(blob, params, {});
    const withId = { blobId: encoded.blobId, metadata: encoded.metadata };
    const ss = encoded.symbolSize;
    const primaries = slivers(encoded, 'primary', randomSubset(n, p, 1));
    const secondaries = slivers(encoded, 'secondary', randomSubset(n, s, 2));
    for (const check of ['default', 'strict', 'skip'] as const) {
      assert.deepEqual(await workers.decode(withId, primaries, params, { consistencyCheck: check }), blob, `primary, ${check}`);
      assert.deepEqual(await workers.decode(withId, secondaries, params, { consistencyCheck: check }), blob, `secondary, ${check}`);
    }
    const rows = [0, 3, p - 1];
    const columns = secondaries.map((sliver) => ({ ...sliver, data: Buffer.concat(rows.map((row) => sliver.data.subarray(row * ss, (row + 1) * ss))) }));
    assert.deepEqual(await workers.decodeRowsFromColumns(columns, rows.length, params, ss), await inline.decodeRowsFromColumns(columns, rows.length, params, ss));
    assert.deepEqual(await workers.decodeSelectedRows(primaries, rows, params, ss), await inline.decodeSelectedRows(primaries, rows, params, ss));
    assert.equal(primaries[0].data.length, s * ss, "the caller's slivers are copied, not moved away");
  });

  test("the codec's errors keep their class across the thread", async () => {
    const params = EncodingParams.forShards(10);
    const encoded = await inline.encode(randomBytes(3_000, 3), params, {});
    const withId = { blobId: encoded.blobId, metadata: encoded.metadata };
    await assert.rejects(workers.decode(withId, slivers(encoded, 'primary', [0, 1]), params, {}), (error: Error) => error instanceof DecodingError && error.code === 'DECODING_FAILED' && /need 4 distinct primary slivers/.test(error.message));
    const other = await inline.encode(randomBytes(3_000, 4), params, {});
    const forged = slivers(other, 'primary', [0, 1, 2, 3]);
    await assert.rejects(workers.decode(withId, forged, params, { consistencyCheck: 'strict' }), InconsistentBlobError);
  });
});

describe('codec workers: failures', () => {
  test('a worker that dies fails its own job with CODEC_UNAVAILABLE (503) and is replaced', async () => {
    const workers = new CodecWorkers({ workers: 1, entry: CRASHING_ENTRY });
    try {
      const params = EncodingParams.forShards(10);
      // Started first, so the worker is ready before the crash.
      assert.equal((await workers.encode(randomBytes(100, 1), params, {})).params, params);
      const [first] = workers.threadIds;
      const crashed = workers.encode(randomBytes(CRASH_ON_LENGTH, 2), params, {});
      const queued = workers.encode(randomBytes(200, 3), params, {});
      await assert.rejects(crashed, (error: Error) => error instanceof CodecUnavailableError && error.code === 'CODEC_UNAVAILABLE' && /exit code 70/.test(error.message));
      assert.equal(errorResponse(await crashed.catch((error: unknown) => error)).statusCode, 503);
      const after = await queued;
      assert.equal(hex(after.blobId), hex((await inline.encode(randomBytes(200, 3), params, {})).blobId), 'the job queued behind it runs on the replacement');
      assert.equal(workers.threadIds.length, 1);
      assert.notEqual(workers.threadIds[0], first, 'a new thread');
    } finally {
      await workers.close();
    }
  });

  test('a worker that cannot start fails the waiting jobs instead of restarting in a loop', async () => {
    const workers = new CodecWorkers({ workers: 1, entry: new URL('../fixtures/no-such-codec-worker.ts', import.meta.url) });
    try {
      await assert.rejects(workers.encode(randomBytes(100, 1), EncodingParams.forShards(10), {}), (error: Error) => error instanceof CodecUnavailableError && /could not start/.test(error.message));
      assert.deepEqual(workers.jobs, { queued: 0, running: 0 });
    } finally {
      await workers.close();
    }
  });

  test('a job whose caller left before it started is dropped; one that started is let go and its result dropped', async () => {
    const workers = new CodecWorkers({ workers: 1 });
    try {
      const params = EncodingParams.forShards(SLOW_SHARDS);
      await workers.encode(randomBytes(10, 1), params, {}); // the worker is ready
      const slow = randomBytes(SLOW_BLOB, 2);
      const running = new AbortController();
      const waiting = new AbortController();
      const first = workers.encode(slow, params, {}, running.signal);
      const second = workers.encode(slow, params, {}, waiting.signal);
      assert.deepEqual(workers.jobs, { queued: 1, running: 1 });
      waiting.abort(new Error('client left'));
      await assert.rejects(second, /client left/);
      assert.deepEqual(workers.jobs, { queued: 0, running: 1 }, 'the waiting job is gone');
      running.abort(new Error('client left too'));
      await assert.rejects(first, /client left too/);
      const next = await workers.encode(randomBytes(500, 3), EncodingParams.forShards(10), {});
      assert.equal(hex(next.blobId), hex((await inline.encode(randomBytes(500, 3), EncodingParams.forShards(10), {})).blobId), 'the worker goes on');
      assert.deepEqual(workers.jobs, { queued: 0, running: 0 });
      await assert.rejects(workers.encode(slow, params, {}, AbortSignal.abort(new Error('gone already'))), /gone already/);
    } finally {
      await workers.close();
    }
  });

  test('closing fails running and waiting jobs with CODEC_UNAVAILABLE, ends every worker, and refuses later jobs', async () => {
    const workers = new CodecWorkers({ workers: 2 });
    const params = EncodingParams.forShards(SLOW_SHARDS);
    await Promise.all([workers.encode(randomBytes(10, 1), params, {}), workers.encode(randomBytes(10, 2), params, {})]);
    assert.equal(workers.threadIds.length, 2);
    // Two running, one waiting; their outcomes are taken now so that none is left unhandled meanwhile.
    const blobs = [1, 2, 3].map((seed) => randomBytes(SLOW_BLOB, seed));
    const outcomes = blobs.map((blob) => workers.encode(blob, params, {}).then(() => undefined, (error: unknown) => error));
    await workers.close();
    for (const outcome of await Promise.all(outcomes)) assert.ok(outcome instanceof CodecUnavailableError && /shutting down/.test(outcome.message), String(outcome));
    assert.deepEqual(workers.threadIds, [], 'no worker left');
    await assert.rejects(workers.encode(randomBytes(10, 1), params, {}), CodecUnavailableError);
  });
});

describe('codec workers: spooled blobs, encoded in their file', () => {
  let dir: string;
  let spool: SpoolDirectory;
  let workers: CodecWorkers;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'walrus-codec-workers-'));
    spool = await SpoolDirectory.open(dir);
    workers = new CodecWorkers({ workers: 1 });
  });
  after(async () => {
    await workers.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function spooled(blob: Uint8Array): Promise<SpoolFile> {
    const file = await spool.create();
    await file.write(blob, 0);
    return file;
  }

  /** The file, counting its holds and releases. */
  function tracked(file: SpoolFile): { file: BlobFile; holds: () => number; releases: () => number } {
    let holds = 0;
    let releases = 0;
    const hold = () => {
      holds++;
      const release = file.hold();
      return () => {
        releases++;
        release();
      };
    };
    return { file: { fd: file.fd, read: (into, at) => file.read(into, at), write: (from, at) => file.write(from, at), truncate: (length) => file.truncate(length), hold }, holds: () => holds, releases: () => releases };
  }

  test('the slivers read back from the file are those of the blob encoded in memory', async () => {
    const params = EncodingParams.forShards(31);
    const blob = randomBytes(150_001, 8);
    const file = await spooled(blob);
    try {
      const encoded = await workers.encodeFile(file, blob.length, params, { stripeBytes: 4096 });
      const expected = await inline.encode(blob, params, {});
      assert.equal(hex(encoded.blobId), hex(expected.blobId));
      assert.deepEqual(encoded.metadata, expected.metadata);
      assert.deepEqual(await sliversOf(encoded), await sliversOf(expected));
    } finally {
      file.close();
    }
  });

  test('a caller that leaves mid-encode is answered at once; the file stays held until the worker has stopped', async () => {
    const params = EncodingParams.forShards(SLOW_SHARDS);
    const blob = randomBytes(2 * 1024 * 1024, 9);
    const spoolFile = await spooled(blob);
    const { file, holds, releases } = tracked(spoolFile);
    try {
      const controller = new AbortController();
      const encoding = workers.encodeFile(file, blob.length, params, { stripeBytes: 16 * 1024, signal: controller.signal });
      await until(() => workers.jobs.running === 1);
      controller.abort(new Error('client left mid-encode'));
      await assert.rejects(encoding, /client left mid-encode/);
      assert.ok(workers.jobs.running === 0 || releases() === 0, 'not released while the worker may still use the descriptor');
      await until(() => workers.jobs.running === 0);
      assert.deepEqual([holds(), releases()], [1, 1], 'released once the worker stopped, between two stripes');
      const small = randomBytes(3_000, 10);
      const next = await inline.encode(small, EncodingParams.forShards(10), {});
      assert.equal(hex((await workers.encode(small, EncodingParams.forShards(10), {})).blobId), hex(next.blobId), 'the worker goes on');
    } finally {
      spoolFile.close();
    }
  });

  test('a file that cannot be read or written is SPOOL_UNAVAILABLE (503), as on the event loop', async () => {
    // A descriptor no process has open: the worker's first call (the truncate) fails with EBADF.
    const file: BlobFile = { fd: 2 ** 30, read: async () => {}, write: async () => {}, truncate: async () => {}, hold: () => () => {} };
    await assert.rejects(workers.encodeFile(file, 1_000, EncodingParams.forShards(10), {}), (error: Error) => error instanceof SpoolUnavailableError && /EBADF/.test(error.message) && errorResponse(error).statusCode === 503);
  });
});
