/**
 * Streamed reads (docs/http-api.md §1.4): a full GET above `--stream-threshold` sends the
 * systematic rows in order, verified, as they come — byte for byte the blob, whatever its size
 * against the row size (empty, one byte, one row, a full matrix, a last row cut short); ranges
 * stream the same way; a blob that fits the cache is kept once streamed, one that does not is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

/** 7 nodes, 31 shards: p = 11 rows of s = 21 symbols; a full matrix with 400-byte symbols is 92,400 bytes. */
const NETWORK = { nodes: 7, shards: 31 };
const FULL_MATRIX = 11 * 21 * 400;
const ROW = 21 * 400;
const SIZES = [0, 1, 42, ROW - 1, 3 * ROW + 17, FULL_MATRIX - 1, FULL_MATRIX, 300_001];

describe('streamed reads (7 nodes, 31 shards, every body streamed)', () => {
  let gw: GatewayFixture;
  const stored = new Map<number, { blob: Uint8Array; blobId: string }>();
  before(async () => {
    gw = await startGateway({ ...NETWORK, args: ['--stream-threshold', '0', '--cache-size', '0'] });
    for (const size of SIZES) {
      const blob = randomBytes(size, 500 + size);
      stored.set(size, { blob, blobId: (await gw.store(blob)).blobId });
    }
  });
  after(() => gw.stop());

  const streamed = () => gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'complete' });

  for (const size of SIZES) {
    test(`${size} bytes: GET sends exactly the blob`, async () => {
      const { blob, blobId } = stored.get(size)!;
      const before = await streamed();
      const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-length'), String(size));
      assert.equal(response.headers.get('x-cache'), 'MISS');
      assert.equal(response.headers.get('etag'), `"${blobId}"`);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
      // An empty blob has no row to stream: it is answered at once.
      assert.equal((await streamed()) - before, size === 0 ? 0 : 1);
    });
  }

  test('every row came from its own node: no blob but the empty one was rebuilt whole', async () => {
    assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' }), 1);
    assert.ok((await gw.metric('walrus_gateway_reconstructions_total', { kind: 'stream' })) >= SIZES.length - 1);
  });

  test('ranges stream too: open-ended, suffix and across rows', async () => {
    const { blob, blobId } = stored.get(300_001)!;
    const cases: [string, number, number][] = [
      ['bytes=0-', 0, blob.length],
      [`bytes=${ROW - 5}-${3 * ROW + 4}`, ROW - 5, 3 * ROW + 5],
      ['bytes=-70000', blob.length - 70_000, blob.length],
    ];
    for (const [header, start, end] of cases) {
      const response = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: header } });
      assert.equal(response.status, 206, header);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end - 1}/${blob.length}`);
      assert.equal(response.headers.get('content-length'), String(end - start));
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob.subarray(start, end), header);
    }
  });

  test('the type is sniffed from as many bytes as a whole read uses, even when rows are shorter', async () => {
    // 9,000 bytes: 40-byte symbols, rows of 840 bytes, fewer than the sniffer reads.
    const text = new TextEncoder().encode('{"a": 1}\n'.repeat(1000));
    const { blobId } = await gw.store(text);
    const head = await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' });
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    const body = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual(body, text);
    assert.equal(response.headers.get('content-type'), head.headers.get('content-type'));
    assert.equal(response.headers.get('content-type'), 'application/json');
  });

  test('a strict consistency check reads the whole blob first', async () => {
    const { blob, blobId } = stored.get(FULL_MATRIX)!;
    const before = await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' });
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}?strict_consistency_check=true`);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
    assert.equal((await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' })) - before, 1);
  });
});

/** Node latency while two reads of one blob run side by side. */
const SHARED_ROW_LATENCY_MS = 100;

describe('streamed reads and the blob cache', () => {
  const CACHE = 400_000;
  let gw: GatewayFixture;
  before(async () => {
    // Blobs up to 200,000 bytes fit the cache; every body above 50,000 bytes streams.
    gw = await startGateway({ ...NETWORK, args: ['--stream-threshold', '50000', '--cache-size', String(CACHE), '--cache-max-entry-fraction', '0.5'] });
  });
  after(() => gw.stop());

  async function read(blobId: string): Promise<{ cache: string | null; bytes: Uint8Array }> {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 200);
    return { cache: response.headers.get('x-cache'), bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  test('a streamed blob that fits the cache is kept once streamed', async () => {
    const blob = randomBytes(150_000, 61);
    const { blobId } = await gw.store(blob);
    const first = await read(blobId);
    assert.equal(first.cache, 'MISS');
    assert.deepEqual(first.bytes, blob);
    const second = await read(blobId);
    assert.equal(second.cache, 'HIT');
    assert.deepEqual(second.bytes, blob);
  });

  test('a streamed blob larger than the per-entry fraction is never cached', async () => {
    const blob = randomBytes(250_000, 62);
    const { blobId } = await gw.store(blob);
    for (let i = 0; i < 2; i++) {
      const { cache, bytes } = await read(blobId);
      assert.equal(cache, 'MISS');
      assert.deepEqual(bytes, blob);
    }
    assert.ok(gw.gateway.blobCache.bytes <= CACHE);
  });

  test('blobs below the threshold keep the whole-blob path: coalesced and cached', async () => {
    const blob = randomBytes(40_000, 63);
    const { blobId } = await gw.store(blob);
    const streamsBefore = await gw.metric('walrus_gateway_reconstructions_total', { kind: 'stream' });
    const fullBefore = await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' });
    const reads = await Promise.all([1, 2, 3].map(() => read(blobId)));
    for (const { bytes } of reads) assert.deepEqual(bytes, blob);
    assert.equal((await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' })) - fullBefore, 1);
    assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'stream' }), streamsBefore);
    assert.equal((await read(blobId)).cache, 'HIT');
  });

  test('concurrent streamed reads of one blob share the row requests in flight', async () => {
    // Too large for the cache: what the second read saves, it saves by joining the first's requests.
    const blob = randomBytes(250_000, 64);
    const { blobId } = await gw.store(blob);
    // The metadata first, so that both reads start their rows together.
    assert.equal((await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' })).status, 200);
    const { committee } = await gw.chain.getSystemState();
    // Slow nodes keep every row request in flight long enough for the other read to find it.
    for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: SHARED_ROW_LATENCY_MS });
    try {
      const before = await gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver' });
      const reads = await Promise.all([1, 2].map(() => read(blobId)));
      for (const { bytes } of reads) assert.deepEqual(bytes, blob);
      // p = 11 rows: two reads sharing nothing would ask for 22 slivers.
      const asked = (await gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver' })) - before;
      assert.equal(asked, 11, `${asked} sliver requests for two concurrent reads of 11 rows`);
    } finally {
      for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 0 });
    }
  });
});
