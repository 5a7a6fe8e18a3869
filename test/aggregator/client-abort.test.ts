/**
 * A client that disconnects cancels its storage-node requests: the AbortSignal goes from the HTTP
 * request through the coalesced reconstruction to every undici request.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

const NODE_LATENCY_MS = 1_500;
const ABORT_AFTER_MS = 300;

describe('client abort', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ args: ['--hedge-delay-ms', '5000'] });
  });
  after(() => gw.stop());

  test('aborting a GET aborts its sliver requests; none completes afterwards', async () => {
    const blob = randomBytes(40_000, 3);
    const { blobId } = await gw.store(blob);
    // Metadata first (HEAD reads only metadata and one row), so the abort lands in the sliver phase.
    assert.equal((await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' })).status, 200);
    const { committee } = await gw.chain.getSystemState();
    for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: NODE_LATENCY_MS });
    try {
      const okBefore = await gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver', outcome: 'ok' });
      const controller = new AbortController();
      const request = fetch(`${gw.url}/v1/blobs/${blobId}`, { signal: controller.signal });
      await sleep(ABORT_AFTER_MS);
      controller.abort();
      await assert.rejects(request);
      await sleep(NODE_LATENCY_MS + 500);
      assert.ok((await gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver', outcome: 'aborted' })) > 0, 'sliver requests were aborted');
      assert.equal(await gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver', outcome: 'ok' }), okBefore, 'no sliver request completed after the abort');
      assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' }), 0);
    } finally {
      for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 0 });
    }
  });
});
