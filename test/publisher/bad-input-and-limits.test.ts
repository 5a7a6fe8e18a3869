/** Every bad input is a 400 with the reference's reason; 413 over --max-body-size; 429 past the publisher's queue; 415 for a quilt that is not a form. */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

describe('publisher input validation and limits', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher({ nodes: 4, shards: 10, args: ['--max-body-size', '2'] });
  });
  after(() => pub.stop());

  test('bad query parameters are 400s with reasons, and nothing is paid', async () => {
    const before = await pub.walletsBalance();
    const cases: [string, string][] = [
      ['deletable=true&permanent=true', 'INVALID_BLOB_PERSISTENCE'],
      ['epochs=0', 'INVALID_QUERY'],
      ['epochs=-1', 'INVALID_QUERY'],
      ['epochs=abc', 'INVALID_QUERY'],
      ['epochs=99999999999', 'INVALID_QUERY'],
      ['epochs=100000', 'INVALID_QUERY'],
      ['share=true&send_object_to=0x1', 'INVALID_QUERY'],
      ['share=true&share=true', 'INVALID_QUERY'],
      ['share=yes', 'INVALID_QUERY'],
      ['send_object_to=alice', 'INVALID_QUERY'],
      ['encoding_type=RS1', 'INVALID_QUERY'],
      ['surprise=1', 'INVALID_QUERY'],
    ];
    for (const [query, reason] of cases) {
      const { status, json } = await pub.put(randomBytes(10, 1), query);
      assert.equal(status, 400, query);
      assert.equal(json.error.details[0].reason, reason, query);
      assert.equal(json.error.details[0].domain, 'daemon.walrus.space');
    }
    assert.equal(await pub.walletsBalance(), before);
  });

  test('--max-body-size is KiB as the reference: over it is a JSON 413, with or without Content-Length', async () => {
    assert.equal(pub.config.publisher.maxBodySize, 2048);
    const exact = await pub.put(randomBytes(2048, 2));
    assert.equal(exact.status, 200);
    const over = await pub.put(randomBytes(2049, 3));
    assert.equal(over.status, 413);
    assert.equal(over.json.error.details[0].reason, 'PAYLOAD_TOO_LARGE');
    // Chunked: the limit is enforced while streaming.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${pub.url}/v1/blobs`);
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(randomBytes(1500, 4));
      req.end(randomBytes(1500, 5));
    });
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).error.details[0].reason, 'PAYLOAD_TOO_LARGE');
  });

  test('a blob body with no Content-Type is stored; a quilt body that is not a form is 415', async () => {
    const response = await fetch(`${pub.url}/v1/blobs`, { method: 'PUT', body: randomBytes(64, 6) });
    assert.equal(response.status, 200);
    const quilt = await fetch(`${pub.url}/v1/quilts`, { method: 'PUT', body: 'x' });
    assert.equal(quilt.status, 415);
    assert.equal(((await quilt.json()) as { error: { details: { reason: string }[] } }).error.details[0].reason, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('publisher flags are validated at start-up, naming the flag and never echoing secrets', () => {
    assert.throws(() => loadConfig('publisher', ['--n-clients', '0'], {}), /--n-clients/);
    assert.throws(() => loadConfig('publisher', ['--refill-interval', 'soon'], {}), /--refill-interval.*"soon"/);
    assert.throws(() => loadConfig('publisher', ['--jwt-algorithm', 'none'], {}), /--jwt-algorithm/);
    assert.throws(() => loadConfig('publisher', ['--wal-refill-amount', '1.5'], {}), /--wal-refill-amount/);
    assert.throws(
      () => loadConfig('publisher', [], { WALRUS_GATEWAY_JWT_DECODE_SECRET: '' , WALRUS_GATEWAY_N_CLIENTS: 'x' }),
      /WALRUS_GATEWAY_N_CLIENTS/,
    );
    const config = loadConfig('publisher', [], {});
    assert.deepEqual(
      [config.publisher.nClients, config.publisher.maxBodySize, config.publisher.maxConcurrentRequests, config.publisher.maxBufferSize, config.publisher.refillIntervalMs],
      [8, 10 * 1024 * 1024, 8, 16, 1000],
    );
  });
});

describe('publisher load shedding', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher({ nodes: 4, shards: 10, mode: 'publisher', args: ['--publisher-max-concurrent-requests', '1', '--publisher-max-buffer-size', '1'] });
  });
  after(() => pub.stop());

  test('beyond running + queued PUTs the publisher answers a JSON 429 with Retry-After; the admitted ones succeed', async () => {
    for (const node of pub.network.nodes) node.setFaults({ latencyMs: 150 });
    try {
      const results = await Promise.all([1, 2, 3, 4].map((seed) => pub.put(randomBytes(100, 20 + seed))));
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 429, 429]);
      const shed = results.find((r) => r.status === 429)!;
      assert.equal(shed.json.error.details[0].reason, 'TOO_MANY_REQUESTS');
      assert.match(shed.json.error.message, /publisher/);
      assert.ok(shed.headers.get('retry-after'));
    } finally {
      for (const node of pub.network.nodes) node.setFaults({ latencyMs: 0 });
    }
  });

  test('publisher mode serves no reads', async () => {
    const response = await fetch(`${pub.url}/v1/blobs/${'A'.repeat(43)}`);
    assert.equal(response.status, 404);
  });
});
