/**
 * What a streamed read does when too many nodes are gone after its first byte (docs/reliability.md
 * §3): the status line and `Content-Length` are out, so the response is cut — the connection
 * closes before the announced length, with no padding and no wrong byte — and the cut is logged and
 * counted. Before the first byte the same failure is an ordinary 503.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Committee } from '../../src/chain/chain-client.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';
import { rawRequest, requestHead } from '../fixtures/raw-client.ts';
import { rowLayout } from '../fixtures/row-owners.ts';

const NETWORK = { nodes: 7, shards: 31 };
const SIZE = 300_001;

describe('a streamed read that loses too many nodes mid-stream (7 nodes, 31 shards)', () => {
  let gw: GatewayFixture;
  let committee: Committee;
  const log: string[] = [];
  const stopped: string[] = [];

  before(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(chunk.toString('utf8'));
        done();
      },
    });
    gw = await startGateway({ ...NETWORK, args: ['--stream-threshold', '0', '--cache-size', '0'], logStream });
    committee = (await gw.chain.getSystemState()).committee;
  });
  after(async () => {
    for (const name of stopped.splice(0)) await gw.network.node(name).start();
    await gw.stop();
  });

  /** Stops every node but `keep`: fewer than p rows are left anywhere. */
  async function stopAllBut(keep: string): Promise<void> {
    for (const member of committee.members) {
      if (member.name === keep) continue;
      await gw.network.node(member.name).stop();
      stopped.push(member.name);
    }
  }

  test('the response is cut short of its Content-Length, logged and counted', async () => {
    // A blob whose first row's node holds some but not all of its rows.
    let seed = 40;
    let blob: Uint8Array;
    let blobId: string;
    let keep: string;
    for (;;) {
      blob = randomBytes(SIZE, seed++);
      blobId = (await gw.store(blob)).blobId;
      const { owners } = rowLayout(committee, blobId, SIZE);
      keep = owners[0].name;
      if (owners.some((owner) => owner.name !== keep)) break;
    }
    // Metadata first (kept 60 s), so the read needs only rows once the other nodes are gone.
    assert.equal((await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' })).status, 200);
    await stopAllBut(keep);
    const cutBefore = await gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'cut' });

    const { response } = rawRequest(gw.url, requestHead('GET', `/v1/blobs/${blobId}`));
    const answer = await response;
    assert.ok(answer, 'a status line and headers went out');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-length'], String(SIZE));
    assert.equal(answer.headers['transfer-encoding'], undefined);
    const body = Buffer.from(answer.body, 'latin1');
    assert.ok(body.length > 0 && body.length < SIZE, `${body.length} of ${SIZE} bytes before the cut`);
    // What did arrive is the blob's beginning, byte for byte.
    assert.deepEqual(new Uint8Array(body), blob.subarray(0, body.length));

    assert.equal((await gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'cut' })) - cutBefore, 1);
    const line = log.find((entry) => entry.includes('the response is cut short'));
    assert.ok(line, 'the cut is logged');
    assert.match(line, new RegExp(blobId));

    // A fetch client sees an error, not a complete body.
    await assert.rejects(async () => (await fetch(`${gw.url}/v1/blobs/${blobId}`)).arrayBuffer());
  });

  test('the same failure before the first byte is a 503 with Retry-After, counted as failed', async () => {
    // Every node but one is still down: a blob whose first row is elsewhere cannot start.
    const { committee: current } = await gw.chain.getSystemState();
    const up = current.members.find((member) => !stopped.includes(member.name))!.name;
    for (const name of stopped.splice(0)) await gw.network.node(name).start();
    let seed = 70;
    let blobId: string;
    for (;;) {
      blobId = (await gw.store(randomBytes(SIZE, seed++))).blobId;
      if (rowLayout(committee, blobId, SIZE).owners[0].name !== up) break;
    }
    assert.equal((await fetch(`${gw.url}/v1/blobs/${blobId}`, { method: 'HEAD' })).status, 200);
    await stopAllBut(up);
    const failedBefore = await gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'failed' });
    const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(((await response.json()) as { error: { details: { reason: string }[] } }).error.details[0].reason, 'BLOB_UNAVAILABLE');
    assert.equal((await gw.metric('walrus_gateway_streamed_reads_total', { kind: 'blob', outcome: 'failed' })) - failedBefore, 1);
  });
});
