/**
 * A client that leaves in the middle of a streamed read frees everything it held: its place in the
 * load shedder and its storage-node requests, which are cancelled, not left to finish.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Committee } from '../../src/chain/chain-client.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';
import { eventually, rawRequest, requestHead } from '../fixtures/raw-client.ts';
import { rowLayout } from '../fixtures/row-owners.ts';

const NETWORK = { nodes: 7, shards: 31 };
const SIZE = 300_001;
/** Long enough that the rows of the slow nodes are still on their way when the client leaves. */
const SLOW_NODE_MS = 1_500;
const WAIT_MS = 3_000;

describe('a client leaving a streamed read', () => {
  let gw: GatewayFixture;
  let committee: Committee;
  before(async () => {
    gw = await startGateway({ ...NETWORK, args: ['--stream-threshold', '0', '--cache-size', '0'] });
    committee = (await gw.chain.getSystemState()).committee;
  });
  after(async () => {
    for (const member of committee.members) gw.network.setFaults(member.name, { latencyMs: 0 });
    await gw.stop();
  });

  test('frees its slot and cancels its node requests', async () => {
    const blob = randomBytes(SIZE, 17);
    const { blobId } = await gw.store(blob);
    const { owners } = rowLayout(committee, blobId, SIZE);
    assert.equal((await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' })).status, 200);
    // The first row comes at once; every other node answers only after the client has gone.
    for (const member of committee.members) if (member.name !== owners[0].name) gw.network.setFaults(member.name, { latencyMs: SLOW_NODE_MS });
    const sliver = (outcome: string) => gw.metric('walrus_gateway_node_requests_total', { kind: 'sliver', outcome });
    const abortedBefore = await sliver('aborted');
    const abandonedBefore = await gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'abandoned' });

    const { socket } = rawRequest(gw.url, requestHead('GET', `/v1/blobs/${blobId}`));
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    assert.ok(await eventually(() => received > 0, WAIT_MS), 'the first bytes arrive');
    assert.equal(gw.gateway.shedder.inFlight, 1);
    socket.destroy();

    assert.ok(await eventually(() => gw.gateway.shedder.inFlight === 0, WAIT_MS), 'the slot is given back');
    assert.ok(await eventually(async () => (await sliver('aborted')) > abortedBefore, WAIT_MS), 'the rows on their way are cancelled');
    assert.ok(await eventually(async () => (await gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'abandoned' })) > abandonedBefore, WAIT_MS));
    assert.ok(received < SIZE);
  });
});
