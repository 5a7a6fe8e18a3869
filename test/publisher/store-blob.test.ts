/** PUT /v1/blobs end to end: the bytes land on the nodes, the IDs match the official encoder, the JSON is the reference's. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blobIdToString } from '../../src/codec/blob-id.ts';
import { readBlob } from '../fixtures/local-store.ts';
import { oracleEncode } from '../fixtures/oracle.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

const OBJECT_ID = /^0x[0-9a-f]{64}$/;

describe('PUT /v1/blobs', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher({ nodes: 4, shards: 10 });
  });
  after(() => pub.stop());

  test('a store and a read warn of nothing: fan-outs share abort signals by design', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const { status, json } = await pub.put(randomBytes(64 * 1024, 77));
      assert.equal(status, 200, JSON.stringify(json));
      const read = await fetch(`${pub.url}/v1/blobs/${json.newlyCreated.blobObject.blobId}`);
      assert.equal(read.status, 200);
      await read.arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  test('stores the bytes: the nodes decode them back, the blob ID is the official encoder\'s, the JSON is newlyCreated', async () => {
    const blob = randomBytes(5000, 1);
    const before = await pub.walletsBalance();
    const { status, json, headers } = await pub.put(blob);
    assert.equal(status, 200, JSON.stringify(json));
    assert.match(headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(Object.keys(json), ['newlyCreated']);
    const created = json.newlyCreated;
    assert.deepEqual(Object.keys(created), ['blobObject', 'resourceOperation', 'cost']);
    const object = created.blobObject;
    assert.deepEqual(Object.keys(object), ['id', 'registeredEpoch', 'blobId', 'size', 'encodingType', 'certifiedEpoch', 'storage', 'deletable']);
    assert.match(object.id, OBJECT_ID);
    const { epoch } = (await pub.chain.getSystemState()).epoch;
    assert.equal(object.registeredEpoch, epoch);
    assert.equal(object.certifiedEpoch, epoch);
    assert.equal(object.blobId, blobIdToString(oracleEncode(blob, 10).blobId));
    assert.equal(object.size, blob.length);
    assert.equal(object.encodingType, 'RS2');
    assert.equal(object.deletable, true, 'blobs are deletable unless permanent (reference ≥ 1.33)');
    assert.deepEqual(Object.keys(object.storage), ['id', 'startEpoch', 'endEpoch', 'storageSize']);
    assert.match(object.storage.id, OBJECT_ID);
    assert.deepEqual([object.storage.startEpoch, object.storage.endEpoch], [epoch, epoch + 1]);
    assert.deepEqual(created.resourceOperation, { registerFromScratch: { encodedLength: object.storage.storageSize, epochsAhead: 1 } });
    assert.equal(typeof created.cost, 'number');
    assert.ok(created.cost > 0);
    assert.equal(before - (await pub.walletsBalance()), BigInt(created.cost), 'the wallets paid exactly the cost reported');
    assert.deepEqual(await readBlob(pub.chain, object.blobId), blob);
    // The Blob object went to the main wallet, as the reference does without send_object_to.
    const owned = await pub.chain.getOwnedBlobObjects(pub.publisher.mainWallet, { blobId: object.blobId });
    assert.deepEqual(owned.map((b) => b.id), [object.id]);
    // Daemon mode: the same port reads it back.
    const read = await fetch(`${pub.url}/v1/blobs/${object.blobId}`);
    assert.deepEqual(new Uint8Array(await read.arrayBuffer()), blob);
  });

  test('a second PUT of the same bytes answers alreadyCertified{object} and spends no WAL', async () => {
    const blob = randomBytes(777, 2);
    const first = await pub.put(blob);
    assert.equal(first.status, 200);
    const before = await pub.walletsBalance();
    const second = await pub.put(blob);
    assert.equal(second.status, 200);
    assert.deepEqual(second.json, {
      alreadyCertified: { blobId: first.json.newlyCreated.blobObject.blobId, object: first.json.newlyCreated.blobObject.id, endEpoch: first.json.newlyCreated.blobObject.storage.endEpoch },
    });
    assert.equal(await pub.walletsBalance(), before);
  });

  test('permanent blobs: newlyCreated with deletable false, then alreadyCertified{event} for any PUT of fewer or equal epochs', async () => {
    const blob = randomBytes(3000, 3);
    const first = await pub.put(blob, 'permanent=true&epochs=3');
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(first.json.newlyCreated.blobObject.deletable, false);
    assert.equal(first.json.newlyCreated.resourceOperation.registerFromScratch.epochsAhead, 3);
    const before = await pub.walletsBalance();
    for (const query of ['permanent=true&epochs=2', 'epochs=3']) {
      const again = await pub.put(blob, query);
      assert.equal(again.status, 200);
      const certified = again.json.alreadyCertified;
      assert.deepEqual(Object.keys(certified), ['blobId', 'event', 'endEpoch']);
      assert.equal(certified.blobId, first.json.newlyCreated.blobObject.blobId);
      assert.equal(certified.endEpoch, first.json.newlyCreated.blobObject.storage.endEpoch);
      assert.deepEqual(Object.keys(certified.event), ['txDigest', 'eventSeq']);
      assert.equal(typeof certified.event.eventSeq, 'string');
    }
    assert.equal(await pub.walletsBalance(), before);
    // Longer than the certified blob lives: stored anew.
    const longer = await pub.put(blob, 'permanent=true&epochs=5');
    assert.ok(longer.json.newlyCreated, JSON.stringify(longer.json));
  });

  test('force=true stores again and creates a new Blob object', async () => {
    const blob = randomBytes(100, 4);
    const first = await pub.put(blob);
    const forced = await pub.put(blob, 'force=true');
    assert.equal(forced.status, 200);
    assert.ok(forced.json.newlyCreated);
    assert.notEqual(forced.json.newlyCreated.blobObject.id, first.json.newlyCreated.blobObject.id);
  });

  test('send_object_to sends the object there; share=true answers sharedBlobObject', async () => {
    const recipient = '0x' + 'ab'.repeat(32);
    const sent = await pub.put(randomBytes(300, 5), `send_object_to=${recipient}`);
    assert.equal(sent.status, 200, JSON.stringify(sent.json));
    const owned = await pub.chain.getOwnedBlobObjects(recipient);
    assert.deepEqual(owned.map((b) => b.id), [sent.json.newlyCreated.blobObject.id]);
    const shared = await pub.put(randomBytes(300, 6), 'share=true');
    assert.equal(shared.status, 200, JSON.stringify(shared.json));
    assert.match(shared.json.newlyCreated.sharedBlobObject, OBJECT_ID);
    assert.deepEqual(Object.keys(shared.json.newlyCreated), ['blobObject', 'resourceOperation', 'cost', 'sharedBlobObject']);
  });

  test('the empty blob and epochs=max are stored', async () => {
    const empty = await pub.put(new Uint8Array(0));
    assert.equal(empty.status, 200, JSON.stringify(empty.json));
    assert.equal(empty.json.newlyCreated.blobObject.size, 0);
    const state = await pub.chain.getSystemState();
    const max = await pub.put(randomBytes(10, 7), 'epochs=max');
    assert.equal(max.status, 200, JSON.stringify(max.json));
    assert.equal(max.json.newlyCreated.blobObject.storage.endEpoch, state.epoch.epoch + state.maxEpochsAhead);
  });

  test('per-stage store latencies and outcomes are exported', async () => {
    const text = await pub.metrics.registry.metrics();
    for (const stage of ['encode', 'status', 'register', 'upload', 'confirmations', 'certify']) {
      const count = new RegExp(`^walrus_gateway_store_stage_seconds_count\\{stage="${stage}"\\} (\\d+)$`, 'm').exec(text);
      assert.ok(count && Number(count[1]) > 0, stage);
    }
    assert.ok((await pub.metric('walrus_gateway_stores_total', { outcome: 'alreadyCertified' })) >= 1);
    assert.match(text, /^walrus_gateway_http_request_duration_seconds_count\{method="PUT",route="\/v1\/blobs",status="200"\} [1-9]/m);
  });
});
