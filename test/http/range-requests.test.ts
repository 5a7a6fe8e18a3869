/**
 * Range requests (RFC 9110 §14): every single-range form is 206 with Content-Range; unsatisfiable
 * is 416 with an unsatisfied Content-Range; ranges read only the systematic rows that hold them
 * and fall back to a full decode when those rows' nodes are down; `/byte-range` answers 200.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rowsForRange } from '../../src/aggregator/blob-reader.ts';
import { parseRange } from '../../src/http/range.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

describe('parseRange', () => {
  test('resolves every single-range form against the size', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'range', start: 0, end: 10 });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'range', start: 90, end: 100 });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'range', start: 90, end: 100 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { kind: 'range', start: 0, end: 100 });
    assert.deepEqual(parseRange('bytes=50-1000', 100), { kind: 'range', start: 50, end: 100 });
    assert.deepEqual(parseRange(' bytes = 1 - 2 ', 100), { kind: 'range', start: 1, end: 3 });
  });
  test('unsatisfiable ranges and ignorable headers', () => {
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
    for (const ignored of [undefined, 'bytes=5-1', 'bytes=0-1,3-4', 'items=0-1', 'bytes=-', 'bytes=a-b']) {
      assert.deepEqual(parseRange(ignored, 100), { kind: 'none' }, String(ignored));
    }
  });
  test('rowsForRange maps bytes to rows', () => {
    assert.deepEqual(rowsForRange(0, 1, 10), { firstRow: 0, lastRow: 0, rowBytes: 10 });
    assert.deepEqual(rowsForRange(9, 21, 10), { firstRow: 0, lastRow: 2, rowBytes: 10 });
  });
});

describe('range requests over HTTP (4 nodes, 10 shards)', () => {
  let gw: GatewayFixture;
  const size = 200_000;
  const blob = randomBytes(size, 5);
  let blobId: string;
  before(async () => {
    gw = await startGateway({ args: ['--cache-size', '0'] });
    blobId = (await gw.store(blob)).blobId;
  });
  after(() => gw.stop());

  const cases: [string, number, number][] = [
    ['bytes=0-0', 0, 1],
    ['bytes=1000-1999', 1000, 2000],
    ['bytes=199990-', 199_990, size],
    ['bytes=-100', size - 100, size],
    ['bytes=0-', 0, size],
    ['bytes=150000-999999', 150_000, size],
  ];
  for (const [header, start, end] of cases) {
    test(`${header} → 206`, async () => {
      const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: header } });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end - 1}/${size}`);
      assert.equal(response.headers.get('accept-ranges'), 'bytes');
      assert.equal(response.headers.get('content-length'), String(end - start));
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob.subarray(start, end));
    });
  }

  test('an unsatisfiable range → 416 with Content-Range: bytes */size', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: `bytes=${size}-` } });
    assert.equal(response.status, 416);
    assert.equal(response.headers.get('content-range'), `bytes */${size}`);
    const body = (await response.json()) as { error: { details: { reason: string }[] } };
    assert.equal(body.error.details[0].reason, 'INVALID_BYTE_RANGE');
  });

  test('a small range reads only its rows, not the whole blob', async () => {
    const full = await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' });
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: 'bytes=5000-5099' } });
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob.subarray(5000, 5100));
    assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' }), full);
  });

  test('If-Range with another tag ignores the range', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } });
    assert.equal(response.status, 200);
    assert.equal((await response.arrayBuffer()).byteLength, size);
  });

  test('/byte-range answers 200 with its own ETag, and 400 for bad ranges', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}/byte-range?start=10&length=20`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('etag'), `"${blobId}-10-20"`);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob.subarray(10, 30));
    for (const query of ['start=0&length=0', `start=${size}&length=1`, 'start=x&length=1', 'length=1']) {
      const bad = await fetch(`${gw.url}/v1/blobs/${blobId}/byte-range?${query}`);
      assert.equal(bad.status, 400, query);
      const body = (await bad.json()) as { error: { details: { reason: string }[] } };
      assert.equal(body.error.details[0].reason, 'INVALID_BYTE_RANGE');
    }
  });

  test("when a range's row holders are down, it falls back to a full decode", async () => {
    const { committee } = await gw.chain.getSystemState();
    // Some rows live on the stopped node; the other nodes still hold p slivers for a full decode.
    const lightest = [...committee.members].sort((a, b) => a.weight - b.weight)[0];
    await gw.network.node(lightest.name).stop();
    try {
      for (const header of ['bytes=0-99', 'bytes=100000-100099', 'bytes=-50']) {
        const match = /(\d*)-(\d*)/.exec(header)!;
        const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: header } });
        assert.equal(response.status, 206);
        const start = match[1] === '' ? size - Number(match[2]) : Number(match[1]);
        const end = match[1] === '' ? size : Number(match[2]) + 1;
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob.subarray(start, end));
      }
    } finally {
      await gw.network.node(lightest.name).start();
    }
  });
});
