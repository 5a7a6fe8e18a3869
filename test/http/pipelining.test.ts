/**
 * HTTP/1.1 pipelining: requests sent back to back on one socket are each answered as if alone, in
 * order (they were answered 499 CLIENT_DISCONNECTED: a queued response has no socket yet, which
 * looked like a client gone); a client that closes with requests still queued frees their slots.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../fixtures/raw-client.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

/** Sends `paths` as pipelined GETs on one socket; resolves with the status line of each answer. */
function pipelined(url: string, paths: string[], closeAfterMs?: number): Promise<number[]> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const statuses = () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
    socket.on('connect', () => socket.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`).join('')));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (statuses().length === paths.length) socket.end();
    });
    socket.on('close', () => resolve(statuses()));
    socket.on('error', reject);
    if (closeAfterMs !== undefined) setTimeout(() => socket.destroy(), closeAfterMs);
  });
}

describe('pipelined requests', () => {
  let gw: GatewayFixture;
  let blobId: string;
  before(async () => {
    gw = await startGateway();
    blobId = (await gw.store(randomBytes(2_000, 91))).blobId;
  });
  after(() => gw.stop());

  test('each is answered on its own merits, in order', async () => {
    assert.deepEqual(await pipelined(gw.url, [`/v1/blobs/${blobId}`, '/v1/blobs/xyz', `/v1/blobs/${blobId}`, '/status']), [200, 400, 200, 200]);
  });

  test('a client that closes with requests still queued behind a slow one leaves no slot taken', async () => {
    const fresh = (await gw.store(randomBytes(3_000, 92))).blobId;
    const slow = (await gw.nodesByWeight()).map((name) => {
      gw.network.setFaults(name, { latencyMs: 1_000 });
      return name;
    });
    try {
      await pipelined(gw.url, [`/v1/blobs/${fresh}`, `/v1/blobs/${fresh}`, `/v1/blobs/${fresh}`], 100);
      assert.ok(await eventually(() => gw.gateway.shedder.inFlight === 0, 10_000), `slots still held: ${gw.gateway.shedder.inFlight}`);
    } finally {
      for (const name of slow) gw.network.setFaults(name, { latencyMs: 0 });
    }
  });
});
