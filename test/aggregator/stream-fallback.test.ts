/**
 * A streamed read whose rows' nodes fail or lie (docs/reliability.md §3): the node is skipped, its
 * rows are rebuilt from other nodes — from columns while nodes holding s = n − f shards answer,
 * else from any p rows — and the stream goes on where it was: the client gets exactly the blob.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Committee } from '../../src/chain/chain-client.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';
import { membersHolding, rowLayout, type RowLayout } from '../fixtures/row-owners.ts';

const NETWORK = { nodes: 7, shards: 31 };
const SIZE = 300_001;
/** Long enough that the stream reaches the slow node's rows while they are still on their way. */
const SLOW_NODE_MS = 400;
let seed = 900;

describe('streamed reads when rows\' nodes fail (7 nodes, 31 shards, f = 10)', () => {
  let gw: GatewayFixture;
  let committee: Committee;
  const f = 10;
  const stopped: string[] = [];

  before(async () => {
    gw = await startGateway({ ...NETWORK, args: ['--stream-threshold', '0', '--cache-size', '0'] });
    committee = (await gw.chain.getSystemState()).committee;
  });
  afterEach(async () => {
    for (const name of stopped.splice(0)) await gw.network.node(name).start();
    for (const member of committee.members) gw.network.setFaults(member.name, { corruptSlivers: false, hostile: false, latencyMs: 0 });
  });
  after(() => gw.stop());

  async function freshBlob(): Promise<{ blob: Uint8Array; blobId: string; layout: RowLayout }> {
    const blob = randomBytes(SIZE, seed++);
    const { blobId } = await gw.store(blob);
    return { blob, blobId, layout: rowLayout(committee, blobId, SIZE) };
  }

  /** A node holding some row after the first, but not the first: it fails once bytes have gone out. */
  function laterRowsNode(layout: RowLayout): string {
    const first = layout.owners[0].name;
    const later = layout.owners.slice(1).find((owner) => owner.name !== first);
    assert.ok(later, 'some row after the first is on another node');
    return later.name;
  }

  async function stop(names: string[]): Promise<void> {
    for (const name of names) {
      await gw.network.node(name).stop();
      stopped.push(name);
    }
  }

  const recoveries = (kind: string) => gw.metric('walrus_gateway_stream_recoveries_total', { kind });

  async function assertStreams(blobId: string, blob: Uint8Array): Promise<void> {
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
  }

  test('a node serving corrupt rows: its rows are rebuilt from columns, the bytes are exact', async () => {
    const { blob, blobId, layout } = await freshBlob();
    const before = await recoveries('columns');
    const rejectedBefore = await gw.metric('walrus_gateway_rejected_node_answers_total', { kind: 'sliver' });
    gw.network.setFaults(laterRowsNode(layout), { corruptSlivers: true });
    await assertStreams(blobId, blob);
    assert.equal((await recoveries('columns')) - before, 1, 'one rebuild covers every row of the node');
    assert.ok((await gw.metric('walrus_gateway_rejected_node_answers_total', { kind: 'sliver' })) > rejectedBefore);
  });

  test('a node stopped while the stream is under way: the rest of the blob still arrives exact', async () => {
    const { blob, blobId, layout } = await freshBlob();
    const node = laterRowsNode(layout);
    const before = await recoveries('columns');
    gw.network.setFaults(node, { latencyMs: SLOW_NODE_MS });
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0);
    chunks.push(first.value);
    // The node's rows are on their way (held by its latency) when it goes down.
    await stop([node]);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    assert.deepEqual(new Uint8Array(Buffer.concat(chunks)), blob);
    assert.equal((await recoveries('columns')) - before, 1);
  });

  test('nodes holding more than f shards down: too few columns, the lost rows are decoded from any p rows', async () => {
    const { blob, blobId, layout } = await freshBlob();
    // Nodes holding later rows first, so that rows are lost; never the first row's, so bytes go out first.
    const down = membersHolding(committee, { avoid: new Set([layout.owners[0].name]), prefer: new Set([laterRowsNode(layout)]), above: f });
    assert.ok(down, 'nodes other than the first row\'s hold more than f shards');
    assert.ok(down.reduce((sum, name) => sum + committee.members.find((member) => member.name === name)!.weight, 0) <= 2 * f, 'p rows are left');
    await stop(down);
    const before = await recoveries('full');
    await assertStreams(blobId, blob);
    assert.equal((await recoveries('full')) - before, 1, 'one decode gives every row still to send');
  });

  test('a hostile node (any misbehaviour, from garbage to a dripping body): skipped, the bytes are exact', async () => {
    const { blob, blobId, layout } = await freshBlob();
    gw.network.setFaults(laterRowsNode(layout), { hostile: true });
    await assertStreams(blobId, blob);
  });

  test('a small range of a large blob whose row\'s node lies rebuilds that row, not the blob', async () => {
    const { blob, blobId, layout } = await freshBlob();
    gw.network.setFaults(layout.owners[0].name, { corruptSlivers: true });
    const fullBefore = await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' });
    // HEAD sniffs the type from the first row: a range below the threshold.
    const head = await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'application/octet-stream');
    assert.equal(await gw.metric('walrus_gateway_reconstructions_total', { kind: 'full' }), fullBefore);
    await assertStreams(blobId, blob);
  });

  test('the stream route and ranges take the same fallback', async () => {
    const { blob, blobId, layout } = await freshBlob();
    gw.network.setFaults(laterRowsNode(layout), { corruptSlivers: true });
    const stream = await fetch(`${gw.url}/v1alpha/blobs/${blobId}/stream`);
    assert.equal(stream.headers.get('x-walrus-streaming'), 'true');
    assert.deepEqual(new Uint8Array(await stream.arrayBuffer()), blob);
    const range = await fetch(`${gw.url}/v1/blobs/${blobId}`, { headers: { range: 'bytes=1000-' } });
    assert.equal(range.status, 206);
    assert.deepEqual(new Uint8Array(await range.arrayBuffer()), blob.subarray(1000));
  });
});
