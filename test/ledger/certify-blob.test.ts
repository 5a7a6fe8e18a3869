/** `certify_blob`: the on-chain certificate check (docs/protocol.md §4.6) and the blob checks of §5.3. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransactionResponseJson } from '../../src/local/ledger/wire-json.ts';
import {
  RawLedgerClient,
  TEST_NODES,
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
/** Nodes 0, 1, 2 hold 3 + 3 + 2 = 8 of 10 shards: 3·8 ≥ 21. */
const QUORUM = [0, 1, 2];
/** Nodes 0 and 1 hold 6: 3·6 < 21. */
const BELOW_QUORUM = [0, 1];

async function registered(ledger: RawLedgerClient, deletable = false) {
  const wallet = newWallet();
  await ledger.faucet(wallet.toSuiAddress(), FUNDS);
  const blob = testBlob();
  const response = await ledger.execute(wallet, registerCall(blob, { deletable }));
  const blobObject = response.blobObject as NonNullable<TransactionResponseJson['blobObject']>;
  return { wallet, blob, blobObject, epoch: (await ledger.network()).epoch };
}

test('a quorum certificate certifies the blob and makes its status certified with the certification event', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject, epoch } = await registered(ledger);
    const response = await ledger.execute(wallet, certifyCall(blobObject.id, certify(confirmationMessage(epoch, blob), QUORUM)));

    assert.equal(response.blobObject?.certifiedEpoch, epoch);
    assert.deepEqual(response.mutated, [blobObject.id]);
    assert.deepEqual(response.events, [
      {
        type: 'BlobCertified',
        id: { txDigest: response.digest, eventSeq: '0' },
        epoch,
        blobId: blob.blobId,
        endEpoch: blobObject.storage.endEpoch,
        deletable: false,
        objectId: blobObject.id,
        isExtension: false,
      },
    ]);
    const { status, registrations } = await ledger.blobIdStatus(blob.blobId);
    assert.deepEqual(status, {
      permanent: {
        endEpoch: blobObject.storage.endEpoch,
        isCertified: true,
        statusEvent: { txDigest: response.digest, eventSeq: '0' },
        deletableCounts: { count_deletable_total: 0, count_deletable_certified: 0 },
        initialCertifiedEpoch: epoch,
      },
    });
    assert.equal(registrations[0].certifiedEpoch, epoch);
  });
});

test('a certificate signed by every committee member certifies', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject, epoch } = await registered(ledger);
    const all = certify(confirmationMessage(epoch, blob), [0, 1, 2, 3]);
    assert.equal(all.signersBitmap.length, 1);
    await ledger.execute(wallet, certifyCall(blobObject.id, all));
  });
});

test('a deletable blob is certified by a message naming its object ID, and can be sent elsewhere or shared', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const recipient = newWallet().toSuiAddress();

    const first = await registered(ledger, true);
    const sent = await ledger.execute(
      first.wallet,
      certifyCall(first.blobObject.id, certify(confirmationMessage(first.epoch, first.blob, first.blobObject.id), QUORUM), { kind: 'transfer', recipient }),
    );
    assert.deepEqual(sent.blobObject?.owner, { kind: 'address', address: recipient });
    const owned = (await ledger.get<{ blobObjects: unknown[] }>(`/v1/accounts/${recipient}/blob-objects`)).json.blobObjects;
    assert.equal(owned.length, 1);
    assert.deepEqual((await ledger.blobIdStatus(first.blob.blobId)).status, {
      deletable: { initialCertifiedEpoch: first.epoch, deletableCounts: { count_deletable_total: 1, count_deletable_certified: 1 } },
    });

    const second = await registered(ledger, true);
    const shared = await ledger.execute(
      second.wallet,
      certifyCall(second.blobObject.id, certify(confirmationMessage(second.epoch, second.blob, second.blobObject.id), QUORUM), { kind: 'share' }),
    );
    assert.match(shared.sharedBlobObjectId ?? '', /^0x[0-9a-f]{64}$/);
    assert.deepEqual(shared.blobObject?.owner, { kind: 'shared', sharedObjectId: shared.sharedBlobObjectId });
    assert.deepEqual(shared.created, [shared.sharedBlobObjectId]);
    // The aggregator's by-object-id read accepts the SharedBlob's ID too.
    assert.deepEqual((await ledger.get(`/v1/blob-objects/${shared.sharedBlobObjectId}`)).json, shared.blobObject);
  });
});

test('refused certifications name their reason and change nothing', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject, epoch } = await registered(ledger);
    const deletable = await registered(ledger, true);
    const message = confirmationMessage(epoch, blob);
    const otherBlob: TestBlob = testBlob();
    const bitmapPastMembers = certify(message, QUORUM);
    bitmapPastMembers.signersBitmap[0] |= 1 << TEST_NODES.length;
    const tooLongBitmap = { ...certify(message, QUORUM), signersBitmap: Uint8Array.of(0b0111, 0) };
    const truncated = message.subarray(0, 20);

    const cases: { name: string; call: ReturnType<typeof certifyCall>; signer?: typeof wallet; reason: string }[] = [
      { name: 'below quorum', call: certifyCall(blobObject.id, certify(message, BELOW_QUORUM)), reason: 'CERTIFICATE_BELOW_QUORUM' },
      { name: 'a signer in the bitmap did not sign', call: certifyCall(blobObject.id, certify(message, QUORUM, [0, 1])), reason: 'INVALID_CERTIFICATE_SIGNATURE' },
      { name: 'signed by a non-signer', call: certifyCall(blobObject.id, certify(message, QUORUM, [0, 1, 3])), reason: 'INVALID_CERTIFICATE_SIGNATURE' },
      {
        name: 'signature over other bytes',
        call: certifyCall(blobObject.id, { ...certify(confirmationMessage(epoch, otherBlob), QUORUM), message }),
        reason: 'INVALID_CERTIFICATE_SIGNATURE',
      },
      { name: 'bitmap names members past the committee', call: certifyCall(blobObject.id, bitmapPastMembers), reason: 'INVALID_SIGNERS_BITMAP' },
      {
        name: 'empty bitmap: missing bytes count as non-signers',
        call: certifyCall(blobObject.id, { ...certify(message, QUORUM), signersBitmap: new Uint8Array(0) }),
        reason: 'CERTIFICATE_BELOW_QUORUM',
      },
      { name: 'bitmap longer than the committee', call: certifyCall(blobObject.id, tooLongBitmap), reason: 'INVALID_SIGNERS_BITMAP' },
      { name: 'message of the next epoch', call: certifyCall(blobObject.id, certify(confirmationMessage(epoch + 1, blob), QUORUM)), reason: 'CERTIFICATE_EPOCH_MISMATCH' },
      { name: 'message of another blob', call: certifyCall(blobObject.id, certify(confirmationMessage(epoch, otherBlob), QUORUM)), reason: 'CERTIFICATE_MISMATCH' },
      { name: 'truncated message', call: certifyCall(blobObject.id, certify(truncated, QUORUM)), reason: 'CERTIFICATE_MISMATCH' },
      {
        name: 'deletable message for a permanent blob',
        call: certifyCall(blobObject.id, certify(confirmationMessage(epoch, blob, blobObject.id), QUORUM)),
        reason: 'CERTIFICATE_MISMATCH',
      },
      {
        name: 'permanent message for a deletable blob',
        signer: deletable.wallet,
        call: certifyCall(deletable.blobObject.id, certify(confirmationMessage(epoch, deletable.blob), QUORUM)),
        reason: 'CERTIFICATE_MISMATCH',
      },
      {
        name: 'deletable message naming another object',
        signer: deletable.wallet,
        call: certifyCall(deletable.blobObject.id, certify(confirmationMessage(epoch, deletable.blob, blobObject.id), QUORUM)),
        reason: 'CERTIFICATE_MISMATCH',
      },
      { name: "someone else's blob", signer: deletable.wallet, call: certifyCall(blobObject.id, certify(message, QUORUM)), reason: 'NOT_OBJECT_OWNER' },
      { name: 'unknown object', call: certifyCall(`0x${'ab'.repeat(32)}`, certify(message, QUORUM)), reason: 'OBJECT_NOT_FOUND' },
    ];
    const addresses = [wallet.toSuiAddress(), deletable.wallet.toSuiAddress()];
    const before = await ledger.snapshot(addresses, [blob.blobId, deletable.blob.blobId]);
    for (const { name, call, signer, reason } of cases) {
      const response = await ledger.submit(signer ?? wallet, call);
      assert.equal(errorReason(response.json), reason, name);
    }
    assert.deepEqual(await ledger.snapshot(addresses, [blob.blobId, deletable.blob.blobId]), before);
  });
});

test('a second certification of the same object is refused and changes nothing', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject, epoch } = await registered(ledger);
    const certificate = certify(confirmationMessage(epoch, blob), QUORUM);
    await ledger.execute(wallet, certifyCall(blobObject.id, certificate));
    const before = await ledger.snapshot([wallet.toSuiAddress()], [blob.blobId]);
    const again = await ledger.submit(wallet, certifyCall(blobObject.id, certificate));
    assert.equal(again.status, 400);
    assert.equal(errorReason(again.json), 'BLOB_ALREADY_CERTIFIED');
    assert.deepEqual(await ledger.snapshot([wallet.toSuiAddress()], [blob.blobId]), before);
  });
});

test('a certificate of the previous epoch is refused after the epoch changes', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const { wallet, blob, blobObject, epoch } = await registered(ledger);
    await ledger.advanceEpoch();
    const stale = await ledger.submit(wallet, certifyCall(blobObject.id, certify(confirmationMessage(epoch, blob), QUORUM)));
    assert.equal(errorReason(stale.json), 'CERTIFICATE_EPOCH_MISMATCH');
    await ledger.execute(wallet, certifyCall(blobObject.id, certify(confirmationMessage(epoch + 1, blob), QUORUM)));
  });
});
