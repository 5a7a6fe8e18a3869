/** `reserve_space` + `register_blob` in one transaction: cost, objects, events, status, and every refusal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BYTES_PER_STORAGE_UNIT } from '../../src/codec/params.ts';
import type { TransactionResponseJson } from '../../src/local/ledger/wire-json.ts';
import { MAX_EPOCHS_AHEAD, RawLedgerClient, STORAGE_PRICE, WRITE_PRICE, errorReason, newWallet, registerCall, testBlob, withLedger } from './fixtures.ts';

const FUNDS = 10_000_000n;

test('registering charges storage × price × epochs + write price and creates a Blob with a registration event', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    const address = wallet.toSuiAddress();
    await ledger.faucet(address, FUNDS);
    const blob = testBlob(5000);
    const epoch = (await ledger.network()).epoch;

    const response = await ledger.execute(wallet, registerCall(blob, { epochsAhead: 3, attributes: { 'content-type': 'text/plain' } }));

    const units = BigInt(Math.ceil(blob.encodedLength / BYTES_PER_STORAGE_UNIT));
    const storageCost = units * STORAGE_PRICE * 3n;
    const writeCost = units * WRITE_PRICE;
    assert.deepEqual(response.charges, { storage: String(storageCost), write: String(writeCost) });
    assert.equal(await ledger.balance(address), FUNDS - storageCost - writeCost);

    const blobObject = response.blobObject as NonNullable<TransactionResponseJson['blobObject']>;
    assert.match(blobObject.id, /^0x[0-9a-f]{64}$/);
    assert.deepEqual(
      { ...blobObject, id: undefined, storage: { ...blobObject.storage, id: undefined } },
      {
        id: undefined,
        registeredEpoch: epoch,
        blobId: blob.blobId,
        size: 5000,
        encodingType: 'RS2',
        certifiedEpoch: null,
        storage: { id: undefined, startEpoch: epoch, endEpoch: epoch + 3, storageSize: blob.encodedLength },
        deletable: false,
        owner: { kind: 'address', address },
        attributes: { 'content-type': 'text/plain' },
      },
    );
    assert.deepEqual(response.created, [blobObject.storage.id, blobObject.id]);
    assert.equal(response.events.length, 1);
    const [event] = response.events;
    assert.deepEqual(event, {
      type: 'BlobRegistered',
      id: { txDigest: response.digest, eventSeq: '0' },
      epoch,
      blobId: blob.blobId,
      size: 5000,
      encodingType: 1,
      endEpoch: epoch + 3,
      deletable: false,
      objectId: blobObject.id,
    });

    assert.deepEqual(await ledger.blobIdStatus(blob.blobId), {
      blobId: blob.blobId,
      status: {
        permanent: {
          endEpoch: epoch + 3,
          isCertified: false,
          statusEvent: { txDigest: response.digest, eventSeq: '0' },
          deletableCounts: { count_deletable_total: 0, count_deletable_certified: 0 },
          initialCertifiedEpoch: null,
        },
      },
      registrations: [{ objectId: blobObject.id, deletable: false, registeredEpoch: epoch, certifiedEpoch: null, endEpoch: epoch + 3 }],
    });
    assert.deepEqual((await ledger.get(`/v1/blob-objects/${blobObject.id}`)).json, blobObject);
  });
});

test('an unknown blob ID is nonexistent, and a malformed one is a 400', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const blob = testBlob();
    assert.deepEqual(await ledger.blobIdStatus(blob.blobId), { blobId: blob.blobId, status: 'nonexistent', registrations: [] });
    const malformed = await ledger.get('/v1/blob-ids/not-a-blob-id');
    assert.equal(malformed.status, 400);
    assert.equal(errorReason(malformed.json), 'INVALID_REQUEST');
  });
});

test('refused registrations name their reason and change nothing', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    const poor = newWallet();
    const address = wallet.toSuiAddress();
    await ledger.faucet(address, FUNDS);
    await ledger.faucet(poor.toSuiAddress(), 1000n);
    const blob = testBlob(2000);
    const other = testBlob(2000);

    const cases: { name: string; signer: typeof wallet; call: ReturnType<typeof registerCall>; status: number; reason: string }[] = [
      { name: 'insufficient WAL', signer: poor, call: registerCall(blob), status: 400, reason: 'INSUFFICIENT_BALANCE' },
      { name: 'zero epochs', signer: wallet, call: registerCall(blob, { epochsAhead: 0 }), status: 400, reason: 'INVALID_EPOCHS_AHEAD' },
      { name: 'too many epochs', signer: wallet, call: registerCall(blob, { epochsAhead: MAX_EPOCHS_AHEAD + 1 }), status: 400, reason: 'INVALID_EPOCHS_AHEAD' },
      { name: 'blob ID of another root hash', signer: wallet, call: registerCall(blob, { blobId: other.blobId }), status: 400, reason: 'BLOB_ID_MISMATCH' },
      { name: 'blob ID of another size', signer: wallet, call: registerCall(blob, { size: blob.size + 1 }), status: 400, reason: 'BLOB_ID_MISMATCH' },
      { name: 'storage below the encoded length', signer: wallet, call: registerCall(blob, { storageSize: blob.encodedLength - 1 }), status: 400, reason: 'STORAGE_TOO_SMALL' },
      { name: 'RedStuff/RaptorQ encoding', signer: wallet, call: registerCall(blob, { encodingType: 0 }), status: 400, reason: 'UNSUPPORTED_ENCODING_TYPE' },
      { name: 'zero storage', signer: wallet, call: registerCall(blob, { storageSize: 0 }), status: 400, reason: 'INVALID_TRANSACTION' },
      { name: 'a root hash of 31 bytes', signer: wallet, call: registerCall(blob, { rootHash: Buffer.alloc(31).toString('base64') }), status: 400, reason: 'INVALID_TRANSACTION' },
    ];
    const before = await ledger.snapshot([address, poor.toSuiAddress()], [blob.blobId, other.blobId]);
    for (const { name, signer, call, status, reason } of cases) {
      const response = await ledger.submit(signer, call);
      assert.equal(response.status, status, name);
      assert.equal(errorReason(response.json), reason, name);
    }
    assert.deepEqual(await ledger.snapshot([address, poor.toSuiAddress()], [blob.blobId, other.blobId]), before);
  });
});

test('exactly enough WAL is enough', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    const blob = testBlob(100);
    const units = BigInt(Math.ceil(blob.encodedLength / BYTES_PER_STORAGE_UNIT));
    const cost = units * STORAGE_PRICE * 2n + units * WRITE_PRICE;
    await ledger.faucet(wallet.toSuiAddress(), cost - 1n);
    assert.equal(errorReason((await ledger.submit(wallet, registerCall(blob))).json), 'INSUFFICIENT_BALANCE');
    await ledger.faucet(wallet.toSuiAddress(), 1n);
    await ledger.execute(wallet, registerCall(blob));
    assert.equal(await ledger.balance(wallet.toSuiAddress()), 0n);
  });
});
