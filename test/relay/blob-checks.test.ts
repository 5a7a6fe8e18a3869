/**
 * The relay sends nothing to a storage node unless the body is the blob the query names and that
 * blob is registered as the query says: a body that encodes to another blob ID is 400
 * BLOB_ID_MISMATCH; an unregistered blob is 400 NOT_REGISTERED (the SDK's BlobNotRegisteredError);
 * a `deletable_blob_object` that is not a live deletable registration of this blob is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BlobNotRegisteredError } from '@mysten/walrus';
import { randomBytes } from '../fixtures/random.ts';
import { startRelay, type RelayFixture } from '../fixtures/upload-relay.ts';

describe('relay blob checks', () => {
  let relay: RelayFixture;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.stop());

  async function refusedWith(query: Record<string, string>, body: Uint8Array, reason: string): Promise<void> {
    const { status, json } = await relay.post(query, body);
    assert.equal(status, 400, JSON.stringify(json));
    assert.equal(json.error.details[0].reason, reason, json.error.message);
    assert.equal(json.error.details[0].domain, 'upload-relay.walrus.space');
    assert.equal(await relay.nodeWrites(), 0, 'no metadata or sliver went to a node');
  }

  test('a body that is not the registered blob: 400 BLOB_ID_MISMATCH', async () => {
    const registered = await relay.prepare(randomBytes(4_000, 21));
    await relay.register(registered);
    const other = randomBytes(4_000, 22);
    await refusedWith({ blob_id: registered.blobId }, other, 'BLOB_ID_MISMATCH');
    assert.equal(await relay.metric('walrus_gateway_relay_requests_total', { outcome: 'BLOB_ID_MISMATCH' }), 1);
  });

  test('through the SDK too: a deletable blob posted with other bytes of another length', async () => {
    const blob = await relay.prepare(randomBytes(4_000, 23));
    const object = await relay.register(blob, { deletable: true });
    await assert.rejects(relay.upload({ ...blob, bytes: randomBytes(4_001, 24) }, object), (error: { status?: number; error?: { error: { details: { reason: string }[] } } }) => {
      assert.equal(error.status, 400);
      assert.equal(error.error?.error.details[0].reason, 'BLOB_ID_MISMATCH');
      return true;
    });
    assert.equal(await relay.nodeWrites(), 0);
  });

  test('a blob nobody registered: 400 NOT_REGISTERED, which the SDK raises as BlobNotRegisteredError', async () => {
    const blob = await relay.prepare(randomBytes(3_000, 25));
    await assert.rejects(relay.sdk.writeBlob({ blobId: blob.blobId, blob: blob.bytes, deletable: false, requiresTip: false }), BlobNotRegisteredError);
    await refusedWith({ blob_id: blob.blobId }, blob.bytes, 'NOT_REGISTERED');
  });

  test('a blob registered only as deletable, posted as permanent: 400 NOT_REGISTERED', async () => {
    const blob = await relay.prepare(randomBytes(3_000, 26));
    await relay.register(blob, { deletable: true });
    await refusedWith({ blob_id: blob.blobId }, blob.bytes, 'NOT_REGISTERED');
  });

  test('deletable_blob_object naming no object, another blob, or a permanent registration is refused', async () => {
    const blob = await relay.prepare(randomBytes(3_000, 27));
    await relay.register(blob, { deletable: true });
    await refusedWith({ blob_id: blob.blobId, deletable_blob_object: `0x${'12'.repeat(32)}` }, blob.bytes, 'NOT_REGISTERED');

    const other = await relay.prepare(randomBytes(3_000, 28));
    const otherObject = await relay.register(other, { deletable: true });
    await refusedWith({ blob_id: blob.blobId, deletable_blob_object: otherObject.id }, blob.bytes, 'BLOB_OBJECT_MISMATCH');

    const permanent = await relay.prepare(randomBytes(3_000, 29));
    const permanentObject = await relay.register(permanent);
    await refusedWith({ blob_id: permanent.blobId, deletable_blob_object: permanentObject.id }, permanent.bytes, 'BLOB_OBJECT_MISMATCH');
  });

  test('an expired registration: 400 NOT_REGISTERED', async () => {
    const blob = await relay.prepare(randomBytes(2_000, 30));
    const object = await relay.register(blob, { deletable: true });
    for (let epoch = (await relay.chain.getSystemState()).epoch.epoch; epoch < object.storage.endEpoch; epoch++) await relay.chain.advanceEpoch();
    await refusedWith({ blob_id: blob.blobId, deletable_blob_object: object.id }, blob.bytes, 'NOT_REGISTERED');
  });
});
