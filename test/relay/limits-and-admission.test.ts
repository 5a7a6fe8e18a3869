/**
 * The relay's own limits: a body over `--relay-max-body-size` is 413 (announced or chunked), a blob
 * larger than the network's encoding can take is 400 DATA_TOO_LARGE, both before any node hears of
 * it; past `--relay-max-concurrent-requests` + `--relay-max-buffer-size` a request is refused at once
 * with 429; and a client that leaves — mid-body or while the relay fans out — gives its place back
 * and cancels its storage-node requests. Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LoadShedder } from '../../src/http/load-shedding.ts';
import { randomBytes } from '../fixtures/random.ts';
import { eventually, rawRequest, requestHead } from '../fixtures/raw-client.ts';
import { startRelay, type RelayFixture } from '../fixtures/upload-relay.ts';

/** Four shards: the encoding takes at most 2 × 3 symbols of 65,534 bytes. */
const MAX_ENCODABLE = 6 * 65_534;
const BODY_LIMIT = 512 * 1024;
const SETTLE_MS = 5_000;
const NODE_LATENCY_MS = 300;

describe('relay limits and admission', () => {
  let relay: RelayFixture;
  let shedder: LoadShedder;
  before(async () => {
    relay = await startRelay({ shards: 4, args: ['--relay-max-body-size', `${BODY_LIMIT / 1024}`, '--relay-max-concurrent-requests', '1', '--relay-max-buffer-size', '0'] });
    shedder = relay.gateway.relayShedder as LoadShedder;
  });
  after(() => relay.stop());

  test('a body over the limit is 413 PAYLOAD_TOO_LARGE, with a Content-Length or chunked', async () => {
    const blob = await relay.prepare(randomBytes(1000, 40));
    const announced = await relay.post({ blob_id: blob.blobId }, randomBytes(BODY_LIMIT + 1, 41));
    assert.equal(announced.status, 413);
    assert.equal(announced.json.error.details[0].reason, 'PAYLOAD_TOO_LARGE');
    const chunks = async function* () {
      for (let i = 0; i < 3; i++) yield randomBytes(BODY_LIMIT / 2, 42 + i);
    };
    const chunked = await fetch(`${relay.url}/v1/blob-upload-relay?blob_id=${blob.blobId}`, { method: 'POST', body: ReadableStream.from(chunks()), duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
    await chunked.arrayBuffer();
    assert.equal(await relay.nodeWrites(), 0);
    assert.ok(await eventually(() => shedder.inFlight === 0, SETTLE_MS));
  });

  test('a blob larger than the encoding can take is 400 DATA_TOO_LARGE', async () => {
    const body = randomBytes(MAX_ENCODABLE + 2, 45);
    const { status, json } = await relay.post({ blob_id: 'E7_nNXvFU_3qZVu3OH1yycRG7LZlyn1-UxEDCDDqGGU' }, body);
    assert.equal(status, 400);
    assert.equal(json.error.details[0].reason, 'DATA_TOO_LARGE');
    assert.equal(await relay.metric('walrus_gateway_relay_node_requests_total'), 0);
  });

  test('past the admitted requests a request is 429 at once; a client leaving mid-body frees its place', async () => {
    const blob = await relay.prepare(randomBytes(1000, 46));
    await relay.register(blob);
    const held = rawRequest(relay.url, requestHead('POST', `/v1/blob-upload-relay?blob_id=${blob.blobId}`, { 'content-length': String(blob.bytes.length) }), blob.bytes.subarray(0, 10));
    assert.ok(await eventually(() => shedder.inFlight === 1, SETTLE_MS));
    const refused = await relay.post({ blob_id: blob.blobId }, blob.bytes);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.details[0].reason, 'TOO_MANY_REQUESTS');
    assert.match(refused.json.error.message, /upload relay/);
    held.socket.destroy();
    assert.ok(await eventually(() => shedder.inFlight === 0, SETTLE_MS), `${shedder.inFlight} places still held`);
    assert.equal(await relay.nodeWrites(), 0);
  });

  test('a client that leaves while the relay fans out cancels the node requests and frees its place', async () => {
    const blob = await relay.prepare(randomBytes(2000, 47));
    await relay.register(blob);
    const { committee } = await relay.chain.getSystemState();
    for (const member of committee.members) relay.network.setFaults(member.name, { latencyMs: NODE_LATENCY_MS });
    try {
      const aborted = () => relay.metric('walrus_gateway_relay_node_requests_total', { outcome: 'aborted' });
      const before = await aborted();
      const leaving = rawRequest(relay.url, requestHead('POST', `/v1/blob-upload-relay?blob_id=${blob.blobId}`, { 'content-length': String(blob.bytes.length) }), blob.bytes);
      assert.ok(await eventually(async () => (await relay.nodeWrites()) > 0, SETTLE_MS), 'the upload started');
      leaving.socket.destroy();
      assert.ok(await eventually(() => shedder.inFlight === 0, SETTLE_MS), `${shedder.inFlight} places still held`);
      assert.ok(await eventually(async () => (await aborted()) > before, SETTLE_MS), 'node requests were cancelled');
    } finally {
      for (const member of committee.members) relay.network.setFaults(member.name, { latencyMs: 0 });
    }
  });
});
