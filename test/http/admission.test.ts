/**
 * Admission cannot leak: whatever ends a request — the client leaving while queued or running, a
 * body that breaks off, the response finishing — its load-shedder place is given back, and a read
 * abandoned while queued never reaches the storage nodes. Real sockets on 127.0.0.1 throughout.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { ClientDisconnectedError } from '../../src/errors/gateway-errors.ts';
import { clientAbortSignal } from '../../src/http/client-abort.ts';
import type { LoadShedder } from '../../src/http/load-shedding.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';
import { eventually, rawRequest, requestHead } from '../fixtures/raw-client.ts';

const NODE_LATENCY_MS = 400;
const SETTLE_MS = 3000;

async function setLatency(gw: GatewayFixture, latencyMs: number): Promise<void> {
  const { committee } = await gw.chain.getSystemState();
  for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs });
}

describe('read admission', () => {
  let gw: GatewayFixture;
  let shedder: LoadShedder;
  before(async () => {
    gw = await startGateway({ args: ['--aggregator-max-concurrent-requests', '2', '--aggregator-max-buffer-size', '12'] });
    shedder = gw.gateway.shedder;
  });
  after(() => gw.stop());

  test('ten queued and two running readers that all leave give every slot back', async () => {
    const { blobId } = await gw.store(randomBytes(3000, 1));
    await setLatency(gw, NODE_LATENCY_MS);
    try {
      const running = [0, 1].map(() => rawRequest(gw.url, requestHead('GET', `/v1/blobs/${blobId}`)));
      assert.ok(await eventually(() => shedder.inFlight === 2, SETTLE_MS));
      const queued = Array.from({ length: 10 }, () => rawRequest(gw.url, requestHead('GET', `/v1/blobs/${blobId}`)));
      assert.ok(await eventually(() => shedder.inFlight === 12, SETTLE_MS), `inFlight ${shedder.inFlight}`);
      for (const { socket } of queued) socket.destroy();
      for (const { socket } of running) socket.destroy();
      assert.ok(await eventually(() => shedder.inFlight === 0, SETTLE_MS), `${shedder.inFlight} places still held`);
    } finally {
      await setLatency(gw, 0);
    }
    // Every place is usable again: twelve reads at once are all admitted.
    const responses = await Promise.all(Array.from({ length: 12 }, () => fetch(`${gw.url}/v1/blobs/${blobId}`, { signal: AbortSignal.timeout(SETTLE_MS) })));
    assert.deepEqual(responses.map((r) => r.status), Array(12).fill(200));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
  });

  test('a read abandoned in the queue never reaches the storage nodes', async () => {
    const held = await gw.store(randomBytes(3000, 2));
    const abandoned = await gw.store(randomBytes(3000, 3));
    await setLatency(gw, NODE_LATENCY_MS);
    try {
      const running = [0, 1].map(() => fetch(`${gw.url}/v1/blobs/${held.blobId}?cb=${Math.random()}`));
      assert.ok(await eventually(() => shedder.inFlight === 2, SETTLE_MS));
      const queued = rawRequest(gw.url, requestHead('GET', `/v1/blobs/${abandoned.blobId}`));
      assert.ok(await eventually(() => shedder.inFlight === 3, SETTLE_MS));
      queued.socket.destroy();
      for (const response of await Promise.all(running)) await response.arrayBuffer();
      const requests = await gw.metric('walrus_gateway_node_requests_total');
      await new Promise((resolve) => setTimeout(resolve, 3 * NODE_LATENCY_MS));
      assert.equal(await gw.metric('walrus_gateway_node_requests_total'), requests, 'the abandoned read asked the nodes');
      assert.equal(shedder.inFlight, 0);
    } finally {
      await setLatency(gw, 0);
    }
  });
});

describe('a client that leaves mid-read', () => {
  let gw: GatewayFixture;
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  before(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    gw = await startGateway({ logStream });
  });
  after(() => gw.stop());

  test('is logged at debug without a trace, not as an internal error', async () => {
    const { blobId } = await gw.store(randomBytes(3000, 4));
    lines.length = 0;
    await setLatency(gw, NODE_LATENCY_MS);
    try {
      await assert.rejects(fetch(`${gw.url}/v1/blobs/${blobId}`, { signal: AbortSignal.timeout(NODE_LATENCY_MS / 4) }));
      assert.ok(await eventually(() => lines.some((line) => line.msg === 'client disconnected'), 3 * NODE_LATENCY_MS + SETTLE_MS), JSON.stringify(lines));
    } finally {
      await setLatency(gw, 0);
    }
    const errors = lines.filter((line) => line.level >= 50);
    assert.deepEqual(errors, []);
    const disconnected = lines.find((line) => line.msg === 'client disconnected');
    assert.equal(disconnected?.level, 20);
    assert.equal(disconnected?.err, undefined, 'no stack trace');
  });
});

describe('clientAbortSignal', () => {
  test('made after the client left (e.g. while the request waited), it is already aborted with ClientDisconnectedError', async () => {
    const app = Fastify();
    let seen: { aborted: boolean; reason: unknown } | undefined;
    // Stands in for any wait before the handler (a queue): it ends only once the client is gone.
    const waitForClientToLeave = async (_request: unknown, reply: { raw: NodeJS.EventEmitter }) => {
      await new Promise((resolve) => reply.raw.once('close', resolve));
    };
    app.get('/late', { onRequest: waitForClientToLeave }, async (_request, reply) => {
      const signal = clientAbortSignal(reply);
      seen = { aborted: signal.aborted, reason: signal.reason };
      return 'too late';
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const exchange = rawRequest(url, requestHead('GET', '/late'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      exchange.socket.destroy();
      assert.ok(await eventually(() => seen !== undefined, SETTLE_MS), 'the handler ran');
      assert.equal(seen?.aborted, true);
      assert.ok(seen?.reason instanceof ClientDisconnectedError);
    } finally {
      await app.close();
    }
  });
});

describe('publisher admission', () => {
  let pub: PublisherFixture;
  let shedder: LoadShedder;
  before(async () => {
    pub = await startPublisher({ mode: 'publisher', args: ['--publisher-max-concurrent-requests', '1', '--publisher-max-buffer-size', '2'] });
    shedder = pub.gateway.publisherShedder!;
  });
  after(() => pub.stop());

  const putHead = (length: number) => requestHead('PUT', '/v1/blobs', { 'content-type': 'application/octet-stream', 'content-length': String(length) });

  test('queued PUTs whose clients leave give their places back; the next PUT is served', async () => {
    for (const node of pub.network.nodes) node.setFaults({ latencyMs: NODE_LATENCY_MS });
    try {
      const body = randomBytes(200, 10);
      const running = rawRequest(pub.url, putHead(body.length), body);
      assert.ok(await eventually(() => shedder.inFlight === 1, SETTLE_MS));
      const queued = [11, 12].map((seed) => rawRequest(pub.url, putHead(200), randomBytes(200, seed)));
      assert.ok(await eventually(() => shedder.inFlight === 3, SETTLE_MS), `inFlight ${shedder.inFlight}`);
      for (const { socket } of queued) socket.destroy();
      assert.equal((await running.response)?.status, 200);
      assert.ok(await eventually(() => shedder.inFlight === 0, SETTLE_MS), `${shedder.inFlight} places still held`);
    } finally {
      for (const node of pub.network.nodes) node.setFaults({ latencyMs: 0 });
    }
    const next = await fetch(`${pub.url}/v1/blobs`, { method: 'PUT', body: randomBytes(100, 13), signal: AbortSignal.timeout(2 * SETTLE_MS) });
    assert.equal(next.status, 200);
  });

  test('a PUT whose body breaks off gives its slot back', async () => {
    const exchange = rawRequest(pub.url, putHead(1000), randomBytes(10, 14));
    assert.ok(await eventually(() => shedder.inFlight === 1, SETTLE_MS));
    exchange.socket.destroy();
    assert.ok(await eventually(() => shedder.inFlight === 0, SETTLE_MS), `${shedder.inFlight} places still held`);
  });
});
