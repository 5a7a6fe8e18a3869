/**
 * Errors in the reference's JSON body, from one registry: bad IDs and flags (400) before any node
 * is asked, --blocklist (451), --max-blob-size (403), 413/429 as JSON, short error caching; and
 * the service routes: /status, /v1/api, and the publisher's 501 in daemon mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Blocklist } from '../../src/aggregator/blocklist.ts';
import { errorCacheControl } from '../../src/http/cache-control.ts';
import { GatewayError, TooManyRequestsError } from '../../src/errors/gateway-errors.ts';
import { errorResponse } from '../../src/http/errors.ts';
import { LoadShedder } from '../../src/http/load-shedding.ts';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { encodeBlob } from '../../src/codec/encoder.ts';
import { selectKernel } from '../../src/codec/kernel/select-kernel.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { SMALL_NETWORK, startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

interface Body {
  error: { code: number; status: string; details: { reason: string; domain: string }[] };
}

async function reasonOf(response: Response): Promise<string> {
  return ((await response.json()) as Body).error.details[0].reason;
}

describe('error mapping', () => {
  test('known errors keep their reason and status; unknown ones are 500 INTERNAL_ERROR in domain global', () => {
    const shed = errorResponse(new TooManyRequestsError());
    assert.equal(shed.statusCode, 429);
    assert.equal(shed.headers['retry-after'], '1');
    assert.equal(shed.body.error.details[0].reason, 'TOO_MANY_REQUESTS');
    const internal = errorResponse(new Error('boom'));
    assert.equal(internal.statusCode, 500);
    assert.deepEqual([internal.body.error.details[0].reason, internal.body.error.details[0].domain], ['INTERNAL_ERROR', 'global']);
    assert.ok(!JSON.stringify(internal.body).includes('boom'));
    const tooLarge = errorResponse(Object.assign(new Error('body too large'), { statusCode: 413 }));
    assert.equal(tooLarge.statusCode, 413);
    assert.ok(new TooManyRequestsError() instanceof GatewayError);
  });
  test('errors are cached briefly, transient ones not at all', () => {
    assert.equal(errorCacheControl(404, 5), 'public, max-age=5');
    assert.equal(errorCacheControl(503, 5), 'no-store');
    assert.equal(errorCacheControl(429, 5), 'no-store');
  });
  test('the load shedder admits maxBuffer requests, runs maxConcurrent, refuses the rest', async () => {
    const shedder = new LoadShedder({ maxConcurrent: 1, maxBuffer: 2 });
    const first = shedder.enter();
    await first.ready;
    const second = shedder.enter();
    assert.equal(shedder.queued, 1);
    assert.throws(() => shedder.enter(), TooManyRequestsError);
    first.release();
    await second.ready;
    second.release();
    assert.equal(shedder.inFlight, 0);
  });
});

describe('errors over HTTP (daemon mode)', () => {
  let gw: GatewayFixture;
  const blockedBlob = randomBytes(100, 1);
  const blockedId = blobIdToString(encodeBlob(blockedBlob, EncodingParams.forShards(SMALL_NETWORK.shards), selectKernel()).blobId);
  before(async () => {
    gw = await startGateway({ mode: 'daemon', args: ['--max-blob-size', '1KiB'], blocklist: Blocklist.fromIds([blockedId]) });
  });
  after(() => gw.stop());

  test('malformed IDs and contradictory flags are 400 before any node is asked', async () => {
    const requests = await gw.metric('walrus_gateway_node_requests_total');
    const cases: [string, string][] = [
      ['/v1/blobs/not-a-blob-id', 'INVALID_ID_FORMAT'],
      [`/v1/blobs/${'A'.repeat(42)}B`, 'INVALID_ID_FORMAT'],
      [`/v1/blobs/${'A'.repeat(43)}?strict_consistency_check=true&skip_consistency_check=true`, 'INVALID_CONSISTENCY_CHECK'],
      [`/v1/blobs/${'A'.repeat(43)}?strict_consistency_check=maybe`, 'INVALID_QUERY'],
      ['/v1/blobs/by-object-id/0xZZ', 'INVALID_ID_FORMAT'],
    ];
    for (const [path, reason] of cases) {
      const response = await fetch(gw.url + path);
      assert.equal(response.status, 400, path);
      assert.equal(await reasonOf(response), reason, path);
    }
    assert.equal(await gw.metric('walrus_gateway_node_requests_total'), requests);
  });

  test('a blocklisted blob is 451 FORBIDDEN_BLOB', async () => {
    await gw.store(blockedBlob);
    const response = await fetch(`${gw.url}/v1/blobs/${blockedId}`);
    assert.equal(response.status, 451);
    assert.equal(await reasonOf(response), 'FORBIDDEN_BLOB');
  });

  test('a blob over --max-blob-size is 403 BLOB_TOO_LARGE; smaller ones are served', async () => {
    const { blobId } = await gw.store(randomBytes(2000, 2));
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 403);
    const body = (await response.json()) as Body;
    assert.deepEqual([body.error.status, body.error.details[0].reason], ['SIZE_EXCEEDED', 'BLOB_TOO_LARGE']);
    const small = await gw.store(randomBytes(1000, 3));
    assert.equal((await fetch(`${gw.url}/v1/blobs/${small.blobId}`)).status, 200);
  });

  test('daemon mode: PUT /v1/blobs and /v1/quilts answer 501 NOT_IMPLEMENTED in JSON', async () => {
    for (const path of ['/v1/blobs', '/v1/quilts?epochs=2']) {
      const response = await fetch(gw.url + path, { method: 'PUT', body: 'hello', headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(response.status, 501);
      assert.equal(await reasonOf(response), 'NOT_IMPLEMENTED');
    }
  });

  test('/status is OK, /v1/api serves the spec, unknown routes are JSON 404s', async () => {
    const status = await fetch(`${gw.url}/status`);
    assert.equal(await status.text(), 'OK');
    const api = await fetch(`${gw.url}/v1/api`);
    assert.match(api.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await api.text(), /\/v1\/blobs\/\{blobId\}\/byte-range/);
    const missing = await fetch(`${gw.url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(await reasonOf(missing), 'ROUTE_NOT_FOUND');
  });
});

describe('load shedding over HTTP', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ args: ['--aggregator-max-concurrent-requests', '1', '--aggregator-max-buffer-size', '1'] });
  });
  after(() => gw.stop());

  test('beyond the limits a read gets 429 JSON with Retry-After; /status is never shed', async () => {
    const { blobId } = await gw.store(randomBytes(5000, 4));
    const { committee } = await gw.chain.getSystemState();
    for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 300 });
    try {
      const [slow, shed, status] = await Promise.all([
        fetch(`${gw.url}/v1/blobs/${blobId}`),
        new Promise<Response>((resolve) => setTimeout(() => resolve(fetch(`${gw.url}/v1/blobs/${blobId}`)), 50)),
        new Promise<Response>((resolve) => setTimeout(() => resolve(fetch(`${gw.url}/status`)), 50)),
      ]);
      assert.equal(slow.status, 200);
      await slow.arrayBuffer();
      assert.equal(shed.status, 429);
      assert.equal(shed.headers.get('retry-after'), '1');
      assert.equal(await reasonOf(shed), 'TOO_MANY_REQUESTS');
      assert.equal(status.status, 200);
    } finally {
      for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 0 });
    }
  });
});
