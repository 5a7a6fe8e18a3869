/** `extend_blob`, `delete_blob` and expiry at epoch change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Keypair } from '@mysten/sui/cryptography';
import { BYTES_PER_STORAGE_UNIT } from '../../src/codec/params.ts';
import type { BlobObjectJson } from '../../src/local/ledger/wire-json.ts';
import {
  MAX_EPOCHS_AHEAD,
  RawLedgerClient,
  STORAGE_PRICE,
  type TestBlob,
  certify,
  certifyCall,
  confirmationMessage,
  errorReason,
  newWallet,
  registerCall,
  testBlob,
  withLedger,
} from './fixtures.ts';

const FUNDS = 10_000_000n;
const QUORUM = [0, 1, 2];

interface Stored {
  readonly wallet: Keypair;
  readonly blob: TestBlob;
  readonly blobObject: BlobObjectJson;
}

async function store(ledger: RawLedgerClient, { deletable = false, certified = true, epochsAhead = 2 } = {}): Promise<Stored> {
  const wallet = newWallet();
  await ledger.faucet(wallet.toSuiAddress(), FUNDS);
  const blob = testBlob();
  let blobObject = (await ledger.execute(wallet, registerCall(blob, { deletable, epochsAhead }))).blobObject as BlobObjectJson;
  if (certified) {
    const epoch = (await ledger.network()).epoch;
    const message = confirmationMessage(epoch, blob, deletable ? blobObject.id : undefined);
    blobObject = (await ledger.execute(wallet, certifyCall(blobObject.id, certify(message, QUORUM)))).blobObject as BlobObjectJson;
  }
  return { wallet, blob, blobObject };
}

test('extending a certified blob charges storage for the added epochs and moves the status event to the extension', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject } = await store(ledger);
    const balance = await ledger.balance(wallet.toSuiAddress());

    const response = await ledger.execute(wallet, { kind: 'extendBlob', blobObjectId: blobObject.id, extendedEpochs: 2 });

    const units = BigInt(Math.ceil(blobObject.storage.storageSize / BYTES_PER_STORAGE_UNIT));
    assert.equal(await ledger.balance(wallet.toSuiAddress()), balance - units * STORAGE_PRICE * 2n);
    assert.equal(response.blobObject?.storage.endEpoch, blobObject.storage.endEpoch + 2);
    assert.deepEqual(response.events[0], {
      type: 'BlobCertified',
      id: { txDigest: response.digest, eventSeq: '0' },
      epoch: blobObject.certifiedEpoch,
      blobId: blob.blobId,
      endEpoch: blobObject.storage.endEpoch + 2,
      deletable: false,
      objectId: blobObject.id,
      isExtension: true,
    });
    const { status } = await ledger.blobIdStatus(blob.blobId);
    assert.ok(typeof status === 'object' && 'permanent' in status);
    assert.equal(status.permanent.endEpoch, blobObject.storage.endEpoch + 2);
    assert.deepEqual(status.permanent.statusEvent, { txDigest: response.digest, eventSeq: '0' });
  });
});

test('refused extensions name their reason and change nothing', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const certified = await store(ledger);
    const uncertified = await store(ledger, { certified: false });
    const stranger = newWallet();
    await ledger.faucet(stranger.toSuiAddress(), FUNDS);
    const beyondLimit = MAX_EPOCHS_AHEAD - 2 + 1;
    const cases = [
      { name: 'not certified', signer: uncertified.wallet, id: uncertified.blobObject.id, epochs: 1, reason: 'BLOB_NOT_CERTIFIED' },
      { name: 'zero epochs', signer: certified.wallet, id: certified.blobObject.id, epochs: 0, reason: 'INVALID_EPOCHS_AHEAD' },
      { name: 'past max epochs ahead', signer: certified.wallet, id: certified.blobObject.id, epochs: beyondLimit, reason: 'INVALID_EPOCHS_AHEAD' },
      { name: "someone else's blob", signer: stranger, id: certified.blobObject.id, epochs: 1, reason: 'NOT_OBJECT_OWNER' },
    ];
    const addresses = [certified.wallet, uncertified.wallet, stranger].map((wallet) => wallet.toSuiAddress());
    const blobIds = [certified.blob.blobId, uncertified.blob.blobId];
    const before = await ledger.snapshot(addresses, blobIds);
    for (const { name, signer, id, epochs, reason } of cases) {
      const response = await ledger.submit(signer, { kind: 'extendBlob', blobObjectId: id, extendedEpochs: epochs });
      assert.equal(errorReason(response.json), reason, name);
    }
    assert.deepEqual(await ledger.snapshot(addresses, blobIds), before);
    // The limit itself is allowed.
    await ledger.execute(certified.wallet, { kind: 'extendBlob', blobObjectId: certified.blobObject.id, extendedEpochs: beyondLimit - 1 });
  });
});

test('deleting a deletable blob returns its storage to the owner and removes it from the blob ID status', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject } = await store(ledger, { deletable: true });
    const epoch = (await ledger.network()).epoch;

    const response = await ledger.execute(wallet, { kind: 'deleteBlob', blobObjectId: blobObject.id });

    assert.deepEqual(response.deleted, [blobObject.id]);
    assert.deepEqual(response.storage, { ...blobObject.storage, owner: wallet.toSuiAddress() });
    assert.deepEqual(response.events[0], {
      type: 'BlobDeleted',
      id: { txDigest: response.digest, eventSeq: '0' },
      epoch,
      blobId: blob.blobId,
      endEpoch: blobObject.storage.endEpoch,
      objectId: blobObject.id,
      wasCertified: true,
    });
    assert.deepEqual(await ledger.blobIdStatus(blob.blobId), { blobId: blob.blobId, status: 'nonexistent', registrations: [] });
    const lookup = await ledger.get(`/v1/blob-objects/${blobObject.id}`);
    assert.equal(lookup.status, 404);
    assert.equal(errorReason(lookup.json), 'OBJECT_NOT_FOUND');
  });
});

test('deleting a permanent blob, or one the sender does not own, is refused and changes nothing', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const permanent = await store(ledger);
    const deletable = await store(ledger, { deletable: true });
    const addresses = [permanent.wallet.toSuiAddress(), deletable.wallet.toSuiAddress()];
    const blobIds = [permanent.blob.blobId, deletable.blob.blobId];
    const before = await ledger.snapshot(addresses, blobIds);

    const permanentDelete = await ledger.submit(permanent.wallet, { kind: 'deleteBlob', blobObjectId: permanent.blobObject.id });
    assert.equal(permanentDelete.status, 400);
    assert.equal(errorReason(permanentDelete.json), 'BLOB_NOT_DELETABLE');
    const foreignDelete = await ledger.submit(permanent.wallet, { kind: 'deleteBlob', blobObjectId: deletable.blobObject.id });
    assert.equal(foreignDelete.status, 403);
    assert.equal(errorReason(foreignDelete.json), 'NOT_OBJECT_OWNER');

    assert.deepEqual(await ledger.snapshot(addresses, blobIds), before);
  });
});

test('blobs stop being live at their end epoch: status, certification, extension and deletion see them expired', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const certified = await store(ledger, { deletable: true, epochsAhead: 1 });
    const uncertified = await store(ledger, { certified: false, epochsAhead: 1 });
    const startEpoch = (await ledger.network()).epoch;
    assert.equal((await ledger.blobIdStatus(certified.blob.blobId)).registrations.length, 1);

    assert.equal(await ledger.advanceEpoch(), startEpoch + 1);

    for (const blob of [certified.blob, uncertified.blob]) {
      assert.deepEqual(await ledger.blobIdStatus(blob.blobId), { blobId: blob.blobId, status: 'nonexistent', registrations: [] });
    }
    const expiredDelete = await ledger.submit(certified.wallet, { kind: 'deleteBlob', blobObjectId: certified.blobObject.id });
    assert.equal(errorReason(expiredDelete.json), 'BLOB_EXPIRED');
    const expiredExtend = await ledger.submit(certified.wallet, { kind: 'extendBlob', blobObjectId: certified.blobObject.id, extendedEpochs: 1 });
    assert.equal(errorReason(expiredExtend.json), 'BLOB_EXPIRED');
    const lateCertificate = certify(confirmationMessage(startEpoch + 1, uncertified.blob), QUORUM);
    const expiredCertify = await ledger.submit(uncertified.wallet, certifyCall(uncertified.blobObject.id, lateCertificate));
    assert.equal(errorReason(expiredCertify.json), 'BLOB_EXPIRED');
    // Like Sui, an expired Blob object still exists until someone deletes or burns it.
    assert.equal((await ledger.get(`/v1/blob-objects/${certified.blobObject.id}`)).status, 200);
  });
});

test('with several objects per blob ID, permanent wins and reports the latest end epoch', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    await ledger.faucet(wallet.toSuiAddress(), FUNDS);
    const blob = testBlob();
    const epoch = (await ledger.network()).epoch;
    const short = (await ledger.execute(wallet, registerCall(blob, { epochsAhead: 1 }))).blobObject as BlobObjectJson;
    const long = await ledger.execute(wallet, registerCall(blob, { epochsAhead: 3 }));
    const removable = (await ledger.execute(wallet, registerCall(blob, { epochsAhead: 4, deletable: true }))).blobObject as BlobObjectJson;
    await ledger.execute(wallet, certifyCall(removable.id, certify(confirmationMessage(epoch, blob, removable.id), QUORUM)));

    const uncertifiedStatus = (await ledger.blobIdStatus(blob.blobId)).status;
    assert.deepEqual(uncertifiedStatus, {
      permanent: {
        endEpoch: epoch + 3,
        isCertified: false,
        statusEvent: { txDigest: long.digest, eventSeq: '0' },
        deletableCounts: { count_deletable_total: 1, count_deletable_certified: 1 },
        initialCertifiedEpoch: epoch,
      },
    });

    const certification = await ledger.execute(wallet, certifyCall(short.id, certify(confirmationMessage(epoch, blob), QUORUM)));
    const { status, registrations } = await ledger.blobIdStatus(blob.blobId);
    // A certified permanent blob outranks a later-ending uncertified one.
    assert.ok(typeof status === 'object' && 'permanent' in status);
    assert.equal(status.permanent.isCertified, true);
    assert.equal(status.permanent.endEpoch, epoch + 1);
    assert.deepEqual(status.permanent.statusEvent, { txDigest: certification.digest, eventSeq: '0' });
    assert.equal(registrations.length, 3);
  });
});
