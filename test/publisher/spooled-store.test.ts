/**
 * PUT /v1/blobs bodies past --spool-threshold (lowered here, with small stripes, so the blobs stay
 * small): spooled to a file under DATA_DIR/spool as they arrive, encoded from it stripe by stripe,
 * stored and read back byte for byte; the file is gone once nobody needs it — after the store, when
 * the client leaves mid-body (nothing paid), when the body is refused (past the body limit or the
 * network's largest blob) — and start-up sweeps what a crashed gateway left.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdir, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { oracleEncodeOnce } from '../fixtures/oracle.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { eventually, rawRequest, requestHead } from '../fixtures/raw-client.ts';
import { randomBytes } from '../fixtures/random.ts';

const KIB = 1024;
const THRESHOLD = 64 * KIB;
const SPOOLED = 'walrus_gateway_spooled_stores_total';

/** Descriptors this process holds on files of `dir` (unlinked ones included): the gateway runs in-process. */
async function openFilesIn(dir: string): Promise<string[]> {
  const prefix = resolve(dir) + '/';
  const targets = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(prefix));
}

/** A PUT with a chunked body (no Content-Length), sent in `parts` writes. */
function putChunked(url: string, parts: Uint8Array[]): Promise<{ status: number; json: { [key: string]: unknown } }> {
  return new Promise((done, fail) => {
    const target = new URL(`${url}/v1/blobs`);
    const req = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, json: JSON.parse(body) as { [key: string]: unknown } }));
    });
    req.on('error', fail);
    for (const part of parts) req.write(part);
    req.end();
  });
}

describe('PUT /v1/blobs past --spool-threshold', () => {
  let pub: PublisherFixture;
  let spoolDir: string;
  before(async () => {
    pub = await startPublisher({
      nodes: 4,
      shards: 10,
      // Past the network's largest blob (1,834,952 bytes at 10 shards), so that limit can be reached too.
      args: ['--spool-threshold', `${THRESHOLD}`, '--spool-stripe-size', '8KiB', '--max-body-size', '2MiB'],
      // What a gateway that died between creating a spool file and unlinking it leaves, and a file that is not ours.
      prepareDataDir: async (dataDir) => {
        await mkdir(join(dataDir, 'spool'));
        await writeFile(join(dataDir, 'spool', 'body-left-by-a-crash'), randomBytes(1000, 1));
        await writeFile(join(dataDir, 'spool', 'notes.txt'), 'an operator file');
      },
    });
    spoolDir = pub.config.publisher.spoolDir;
  });
  after(() => pub.stop());

  const nothingHeld = async () => (await openFilesIn(spoolDir)).length === 0;

  test('start-up removes the spool files a crashed gateway left, and nothing else', async () => {
    assert.deepEqual(await readdir(spoolDir), ['notes.txt']);
  });

  test('a body past the threshold is spooled, encoded in stripes, stored and read back byte for byte', async () => {
    const blob = randomBytes(300_000, 2);
    const spooled = await pub.metric(SPOOLED);
    const { status, json } = await pub.put(blob);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.newlyCreated.blobObject.blobId, blobIdToString(oracleEncodeOnce(blob, 10).blobId), 'the official encoder\'s blob ID');
    assert.equal(await pub.metric(SPOOLED), spooled + 1, 'stored from a spool file');
    const read = await fetch(`${pub.url}/v1/blobs/${json.newlyCreated.blobObject.blobId}`);
    assert.equal(read.status, 200);
    assert.ok(Buffer.from(await read.arrayBuffer()).equals(blob), 'read back byte for byte');
    assert.ok(await eventually(nothingHeld, 10_000), 'the file is closed once every node is through');
    assert.deepEqual(await readdir(spoolDir), ['notes.txt']);
  });

  test('a chunked body is spooled from the chunk that crosses the threshold, the bytes before it first', async () => {
    const blob = randomBytes(250_000, 3);
    const parts = Array.from({ length: 10 }, (_, i) => blob.subarray(i * 25_000, (i + 1) * 25_000));
    const spooled = await pub.metric(SPOOLED);
    const { status, json } = await putChunked(pub.url, parts);
    assert.equal(status, 200, JSON.stringify(json));
    const { blobObject } = json.newlyCreated as { blobObject: { blobId: string } };
    assert.equal(blobObject.blobId, blobIdToString(oracleEncodeOnce(blob, 10).blobId));
    assert.equal(await pub.metric(SPOOLED), spooled + 1);
    const read = await fetch(`${pub.url}/v1/blobs/${blobObject.blobId}`);
    assert.ok(Buffer.from(await read.arrayBuffer()).equals(blob));
    assert.ok(await eventually(nothingHeld, 10_000));
  });

  test('a body of exactly the threshold stays in memory', async () => {
    const spooled = await pub.metric(SPOOLED);
    const { status, json } = await pub.put(randomBytes(THRESHOLD, 4));
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(await pub.metric(SPOOLED), spooled);
  });

  test('a client that leaves mid-body leaves no spool file, frees its slot and pays nothing', async () => {
    const balance = await pub.walletsBalance();
    const spooled = await pub.metric(SPOOLED);
    const exchange = rawRequest(pub.url, requestHead('PUT', '/v1/blobs', { 'content-length': '500000' }), randomBytes(200_000, 5));
    assert.ok(await eventually(async () => (await openFilesIn(spoolDir)).length === 1, 10_000), 'the body went to a spool file');
    exchange.socket.destroy();
    assert.ok(await eventually(nothingHeld, 10_000), 'the file is closed, which frees it');
    assert.ok(await eventually(() => pub.gateway.publisherShedder?.inFlight === 0, 10_000), 'the slot came back');
    assert.deepEqual(await readdir(spoolDir), ['notes.txt']);
    assert.equal(await pub.metric(SPOOLED), spooled, 'nothing reached the publisher');
    assert.equal(await pub.walletsBalance(), balance);
  });

  test('a chunked body past --max-body-size while spooling is a 413 and leaves no spool file', async () => {
    const balance = await pub.walletsBalance();
    const parts = Array.from({ length: 21 }, (_, i) => randomBytes(100 * KIB, 10 + i));
    const { status, json } = await putChunked(pub.url, parts);
    assert.equal(status, 413);
    assert.equal((json.error as { details: { reason: string }[] }).details[0].reason, 'PAYLOAD_TOO_LARGE');
    assert.ok(await eventually(nothingHeld, 10_000));
    assert.equal(await pub.walletsBalance(), balance);
  });

  test('a blob larger than the network can encode is a 413 before anything is paid, its file gone', async () => {
    const balance = await pub.walletsBalance();
    const { status, json } = await pub.put(randomBytes(1_900_000, 20));
    assert.equal(status, 413, JSON.stringify(json));
    assert.match(json.error.message, /1834952 bytes this network's encoding can take/);
    assert.ok(await eventually(nothingHeld, 10_000));
    assert.equal(await pub.walletsBalance(), balance);
  });

  test('a spool directory that cannot be written answers 503 SPOOL_UNAVAILABLE and pays nothing', async () => {
    const balance = await pub.walletsBalance();
    // Root ignores permissions, not a file standing where the directory should be.
    await rm(spoolDir, { recursive: true });
    await writeFile(spoolDir, 'not a directory');
    try {
      const { status, json, headers } = await pub.put(randomBytes(100_000, 30));
      assert.equal(status, 503, JSON.stringify(json));
      assert.equal(json.error.details[0].reason, 'SPOOL_UNAVAILABLE');
      assert.ok(headers.get('retry-after'));
      assert.doesNotMatch(json.error.message, new RegExp(spoolDir), 'no path of ours in the answer');
      assert.equal(await pub.walletsBalance(), balance);
    } finally {
      await rm(spoolDir);
      await mkdir(spoolDir);
    }
  });
});
