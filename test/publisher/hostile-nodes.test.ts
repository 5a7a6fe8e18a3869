/**
 * Storage nodes that lie in any way at all (the local nodes' `hostile` fault: malformed JSON, null,
 * wrong types, garbage, HTML, resets, truncated, oversized and dripping bodies, redirects, wrong
 * codes, 204s — at random per request). Up to f shards of them: every PUT certifies and every cold
 * read is byte-exact. More than f: clean JSON errors, nothing half-done reported as success, and the
 * retry after recovery pays nothing more. The process survives all of it (the test runner's
 * unhandled-rejection trap fails the file otherwise).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HOSTILE_KINDS } from '../../src/local/storage-node/node-faults.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

const SHARDS = 31;
const F = Math.floor((SHARDS - 1) / 3);
const SIZES = [1, 1_000, 40_000, 250_000];

describe('hostile storage nodes (7 nodes, 31 shards, f = 10)', () => {
  let pub: PublisherFixture;
  let byWeight: { name: string; weight: number }[];
  before(async () => {
    // No blob cache: every read goes to the nodes.
    pub = await startPublisher({ nodes: 7, shards: SHARDS, args: ['--cache-size', '0', '--hedge-delay-ms', '200', '--node-timeout-ms', '2000'] });
    byWeight = await pub.nodesByWeight();
  });
  after(() => pub.stop());

  /** Lightest nodes whose weight stays within `limit`, or (exceed) the heaviest until it is passed. */
  function nodesWeighing(limit: number, exceed = false): string[] {
    const chosen: string[] = [];
    let weight = 0;
    for (const node of exceed ? byWeight : [...byWeight].reverse()) {
      if (exceed ? weight > limit : weight + node.weight > limit) break;
      chosen.push(node.name);
      weight += node.weight;
    }
    return chosen;
  }
  const setHostile = (names: string[], hostile: boolean) => {
    for (const name of names) pub.network.setFaults(name, { hostile });
  };

  test('up to f shards hostile: every PUT certifies; every cold GET, range, HEAD and by-object-id read is exact', async () => {
    const hostile = nodesWeighing(F);
    assert.ok(hostile.length >= 2, 'at least two hostile nodes');
    setHostile(hostile, true);
    try {
      for (const [i, size] of SIZES.entries()) {
        const blob = randomBytes(size, 900 + i);
        const stored = await pub.put(blob, i % 2 === 0 ? 'permanent=true' : 'deletable=true');
        assert.equal(stored.status, 200, JSON.stringify(stored.json));
        const { blobObject } = stored.json.newlyCreated;
        assert.notEqual(blobObject.certifiedEpoch, null);
        const blobUrl = `${pub.url}/v1/blobs/${blobObject.blobId}`;

        const full = await fetch(blobUrl);
        assert.equal(full.status, 200);
        assert.deepEqual(new Uint8Array(await full.arrayBuffer()), blob, `GET of ${size} bytes`);

        const byObject = await fetch(`${pub.url}/v1/blobs/by-object-id/${blobObject.id}`);
        assert.equal(byObject.status, 200);
        assert.deepEqual(new Uint8Array(await byObject.arrayBuffer()), blob);

        const head = await fetch(blobUrl, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(size));

        const start = Math.floor(size / 3);
        const end = Math.min(size - 1, start + 5_000);
        const range = await fetch(blobUrl, { headers: { range: `bytes=${start}-${end}` } });
        assert.equal(range.status, 206);
        assert.deepEqual(new Uint8Array(await range.arrayBuffer()), blob.subarray(start, end + 1));
      }
      // The hostile nodes were asked, and their answers counted as faults, not trusted, on both sides.
      for (const metric of ['walrus_gateway_node_requests_total', 'walrus_gateway_publisher_node_requests_total']) {
        let faults = 0;
        for (const outcome of ['transport', 'timeout', 'status', 'redirect', 'oversized', 'malformed']) faults += await pub.metric(metric, { outcome });
        assert.ok(faults > 0, `faulty answers were counted in ${metric}`);
      }
      // … and by node: the operator sees which nodes misbehave.
      for (const metric of ['walrus_gateway_node_faults_total', 'walrus_gateway_publisher_node_faults_total']) {
        let byHostile = 0;
        for (const node of hostile) byHostile += await pub.metric(metric, { node });
        assert.ok(byHostile > 0, `faults by hostile node in ${metric}`);
      }
    } finally {
      setHostile(hostile, false);
    }
  });

  test('each misbehaviour alone, on nodes holding up to f shards: the PUT certifies and reads back exact', async () => {
    const hostile = nodesWeighing(F);
    for (const [i, kind] of HOSTILE_KINDS.entries()) {
      for (const name of hostile) pub.network.setFaults(name, { hostile: true, hostileKinds: [kind] });
      try {
        const blob = randomBytes(3_000, 970 + i);
        const stored = await pub.put(blob, i % 2 === 0 ? 'permanent=true' : 'deletable=true');
        assert.equal(stored.status, 200, `${kind}: ${JSON.stringify(stored.json)}`);
        const read = await fetch(`${pub.url}/v1/blobs/${stored.json.newlyCreated.blobObject.blobId}`);
        assert.equal(read.status, 200, kind);
        assert.deepEqual(new Uint8Array(await read.arrayBuffer()), blob, kind);
      } finally {
        for (const name of hostile) pub.network.setFaults(name, { hostile: false, hostileKinds: [...HOSTILE_KINDS] });
      }
    }
  });

  test('more than f shards hostile: a clean 503/504 JSON error, nothing certified; after recovery the retry pays nothing more', async () => {
    const hostile = nodesWeighing(F, true);
    const blob = randomBytes(5_000, 950);
    setHostile(hostile, true);
    let paid: bigint;
    try {
      const before = await pub.walletsBalance();
      const failed = await pub.put(blob);
      assert.ok(failed.status === 503 || failed.status === 504, JSON.stringify(failed.json));
      assert.ok(['INSUFFICIENT_CONFIRMATIONS'].includes(failed.json.error.details[0].reason), JSON.stringify(failed.json));
      assert.ok(Number(failed.headers.get('retry-after')) > 0);
      paid = before - (await pub.walletsBalance());
      const owned = await Promise.all(pub.publisher.subWallets.map((wallet) => pub.chain.getOwnedBlobObjects(wallet.address)));
      assert.ok(owned.flat().every((object) => object.blobId !== failed.json?.blobId), 'nothing reported stored');
    } finally {
      setHostile(hostile, false);
    }
    const before = await pub.walletsBalance();
    const retried = await pub.put(blob);
    assert.equal(retried.status, 200, JSON.stringify(retried.json));
    const operation = Object.keys(retried.json.newlyCreated.resourceOperation)[0];
    // Paid once at most over both attempts: a registration paid by the failed attempt is reused.
    if (paid > 0n) {
      assert.equal(operation, 'reuseRegistration');
      assert.equal(await pub.walletsBalance(), before, 'the retry paid nothing more');
    }
    const read = await fetch(`${pub.url}/v1/blobs/${retried.json.newlyCreated.blobObject.blobId}`);
    assert.deepEqual(new Uint8Array(await read.arrayBuffer()), blob);
  });

  test('reads with more than f shards hostile are exact or a clean 503, never wrong bytes', async () => {
    const blob = randomBytes(60_000, 960);
    const stored = await pub.put(blob);
    assert.equal(stored.status, 200, JSON.stringify(stored.json));
    const hostile = nodesWeighing(F, true);
    setHostile(hostile, true);
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${pub.url}/v1/blobs/${stored.json.newlyCreated.blobObject.blobId}`);
        if (response.status === 200) assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
        else {
          assert.equal(response.status, 503);
          const json = (await response.json()) as { error: { details: { reason: string }[] } };
          assert.equal(json.error.details[0].reason, 'BLOB_UNAVAILABLE');
        }
      }
    } finally {
      setHostile(hostile, false);
    }
  });
});
