/** The storage node's per-blob sliver log: batching, idempotent appends, recovery after a crash. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SliverLog } from '../../src/local/storage-node/sliver-log.ts';
import { randomBytes } from '../fixtures/random.ts';

const HEADER = 20;
let dir: string;

describe('sliver log', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'walrus-sliver-log-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('stores each sliver once, however often it is appended, and reads them back after a reopen', async () => {
    const path = join(dir, 'concurrent.log');
    assert.equal(await SliverLog.open(path, false), undefined, 'absent and not created');
    const log = (await SliverLog.open(path, true))!;
    const bodies = Array.from({ length: 50 }, (_, i) => randomBytes(100 + i, i));
    for (const [i, body] of bodies.entries()) {
      log.append(i, 'primary', body);
      log.append(i, 'primary', body);
      log.append(i, 'secondary', body.subarray(1));
    }
    await Promise.all([log.sync(), log.sync()]);
    assert.equal((await stat(path)).size, bodies.reduce((sum, body) => sum + 2 * HEADER + 2 * body.length - 1, 0), 'no duplicate records');
    await log.close();
    const reopened = (await SliverLog.open(path, false))!;
    for (const [i, body] of bodies.entries()) {
      assert.deepEqual(new Uint8Array((await reopened.read(i, 'primary'))!), body);
      assert.deepEqual(new Uint8Array((await reopened.read(i, 'secondary'))!), body.subarray(1));
    }
    assert.equal(reopened.has(50, 'primary'), false);
    assert.equal(await reopened.read(50, 'primary'), undefined);
    await reopened.close();
  });

  it('drops a corrupt record and everything after it, and accepts the slivers again', async () => {
    const path = join(dir, 'corrupt.log');
    const log = (await SliverLog.open(path, true))!;
    const bodies = [0, 1, 2].map((i) => randomBytes(64, 100 + i));
    for (const [i, body] of bodies.entries()) log.append(i, 'primary', body);
    await log.close();
    const bytes = await readFile(path);
    bytes[2 * (HEADER + 64) - 1] ^= 1; // the second record's last body byte
    await writeFile(path, bytes);
    const recovered = (await SliverLog.open(path, true))!;
    assert.equal(recovered.has(0, 'primary'), true);
    assert.equal(recovered.has(1, 'primary'), false);
    assert.equal(recovered.has(2, 'primary'), false, 'records after a bad one are not trusted');
    assert.equal((await stat(path)).size, HEADER + 64);
    recovered.append(1, 'primary', bodies[1]);
    assert.deepEqual(new Uint8Array((await recovered.read(1, 'primary'))!), bodies[1]);
    await recovered.close();
  });
  it('reopens a log of records larger than memory reads take at once, across their boundaries, and cuts a torn tail', async () => {
    const path = join(dir, 'large.log');
    const log = (await SliverLog.open(path, true))!;
    // Odd sizes, so records straddle every read boundary; one is larger than a MiB on its own.
    const bodies = [...Array.from({ length: 30 }, (_, i) => randomBytes(99_991 + i * 7, 200 + i)), randomBytes(1_500_001, 300), randomBytes(4_097, 301), randomBytes(50_000, 302)];
    for (const [i, body] of bodies.entries()) log.append(i, 'primary', body);
    await log.close();
    const full = (await stat(path)).size;
    await truncate(path, full - 10); // the last record torn by a crash
    const reopened = (await SliverLog.open(path, true))!;
    for (const [i, body] of bodies.slice(0, -1).entries()) assert.deepEqual(new Uint8Array(reopened.read(i, 'primary')!), body, `record ${i}`);
    assert.equal(reopened.has(bodies.length - 1, 'primary'), false);
    assert.equal((await stat(path)).size, full - HEADER - bodies[bodies.length - 1].length);
    await reopened.close();
  });
});
