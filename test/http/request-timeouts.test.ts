/**
 * Slow clients cannot hold the publisher: headers that never finish (--request-header-timeout), a
 * body that stops (--body-idle-timeout) or drips (--body-min-rate after --body-min-rate-grace) are
 * answered with a JSON 408 REQUEST_TIMEOUT, the connection is closed and the slot given back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { LoadShedder } from '../../src/http/load-shedding.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';
import { eventually, rawRequest, requestHead, type RawResponse } from '../fixtures/raw-client.ts';

/** Far above every timeout configured below, far below node:test's own. */
const ANSWER_WITHIN_MS = 4000;
const DRIP_INTERVAL_MS = 100;

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);
}

function assertTimeout408(response: RawResponse | undefined | 'timeout'): void {
  assert.ok(response && response !== 'timeout', `no answer: ${String(response)}`);
  assert.equal(response.status, 408);
  assert.equal(response.headers['content-type']?.split(';')[0], 'application/json');
  assert.equal(JSON.parse(response.body).error.details[0].reason, 'REQUEST_TIMEOUT');
}

describe('request and body timeouts', () => {
  let pub: PublisherFixture;
  let shedder: LoadShedder;
  before(async () => {
    pub = await startPublisher({
      mode: 'publisher',
      args: ['--publisher-max-concurrent-requests', '1', '--publisher-max-buffer-size', '0', '--request-header-timeout', '500ms', '--body-idle-timeout', '300ms', '--body-min-rate', '1KiB', '--body-min-rate-grace', '500ms'],
    });
    shedder = pub.gateway.publisherShedder!;
  });
  after(() => pub.stop());

  const putHead = (length: number) => requestHead('PUT', '/v1/blobs', { 'content-type': 'application/octet-stream', 'content-length': String(length) });

  test('a body that stops is a JSON 408 and the slot is free again', async () => {
    const exchange = rawRequest(pub.url, putHead(1000), randomBytes(10, 1));
    assertTimeout408(await within(exchange.response, ANSWER_WITHIN_MS));
    assert.ok(await eventually(() => shedder.inFlight === 0, ANSWER_WITHIN_MS));
    const next = await pub.put(randomBytes(100, 2));
    assert.equal(next.status, 200);
  });

  test('a body dripping one byte at a time (never idle) is a 408 once past the grace period', async () => {
    const exchange = rawRequest(pub.url, putHead(10_000));
    const drip = setInterval(() => exchange.socket.write(Uint8Array.of(1)), DRIP_INTERVAL_MS);
    try {
      assertTimeout408(await within(exchange.response, ANSWER_WITHIN_MS));
    } finally {
      clearInterval(drip);
    }
    assert.ok(await eventually(() => shedder.inFlight === 0, ANSWER_WITHIN_MS));
  });

  test('headers that never finish are a JSON 408 and the connection is closed', async () => {
    const exchange = rawRequest(pub.url, 'PUT /v1/blobs HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    assertTimeout408(await within(exchange.response, ANSWER_WITHIN_MS));
  });

  test('an upload at a normal pace is unaffected', async () => {
    const body = randomBytes(4000, 3);
    const exchange = rawRequest(pub.url, putHead(body.length));
    // 2 KiB per 200 ms: 10 KiB/s, above the 1 KiB/s minimum, never idle for 300 ms.
    exchange.socket.write(body.subarray(0, 2000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    exchange.socket.write(body.subarray(2000));
    const response = await within(exchange.response, 2 * ANSWER_WITHIN_MS);
    assert.ok(response && response !== 'timeout');
    assert.equal(response.status, 200);
  });
});

describe('timeout options', () => {
  test('defaults suit slow real links; bad values fail naming the option', () => {
    const config = loadConfig('publisher', [], {});
    assert.equal(config.requestHeaderTimeoutMs, 20_000);
    assert.deepEqual(config.publisher.bodyTimeouts, { idleTimeoutMs: 30_000, minBytesPerSecond: 16 * 1024, minRateGraceMs: 10_000 });
    const fromEnv = loadConfig('publisher', [], { WALRUS_GATEWAY_BODY_MIN_RATE: '0', WALRUS_GATEWAY_BODY_IDLE_TIMEOUT: '2m' });
    assert.deepEqual([fromEnv.publisher.bodyTimeouts.minBytesPerSecond, fromEnv.publisher.bodyTimeouts.idleTimeoutMs], [0, 120_000]);
    assert.throws(() => loadConfig('publisher', ['--body-idle-timeout', '0'], {}), /--body-idle-timeout/);
    assert.throws(() => loadConfig('publisher', ['--body-min-rate', 'fast'], {}), /--body-min-rate.*"fast"/);
    assert.throws(() => loadConfig('publisher', [], { WALRUS_GATEWAY_REQUEST_HEADER_TIMEOUT: 'never' }), /WALRUS_GATEWAY_REQUEST_HEADER_TIMEOUT/);
    assert.throws(() => loadConfig('publisher', ['--body-min-rate-grace', '-1s'], {}), /--body-min-rate-grace/);
  });
});
