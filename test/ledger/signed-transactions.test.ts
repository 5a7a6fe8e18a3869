/** Transactions are signed by the sender's Sui key, expire, and execute at most once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLedgerApp } from '../../src/local/ledger/http-app.ts';
import { Ledger } from '../../src/local/ledger/ledger.ts';
import type { TransactionResponseJson } from '../../src/local/ledger/wire-json.ts';
import { RawLedgerClient, errorReason, makeTempDir, newWallet, registerCall, removeDir, testBlob, testGenesis, withLedger } from './fixtures.ts';

const FUNDS = 1_000_000n;

test('WAL moves between wallets only when the sender signs', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const [alice, bob, mallory] = [newWallet(), newWallet(), newWallet()];
    await ledger.faucet(alice.toSuiAddress(), FUNDS);

    const transfer = await ledger.execute(alice, { kind: 'transferWal', recipient: bob.toSuiAddress(), amount: '250000' });
    assert.deepEqual(transfer.balanceChanges, [
      { address: alice.toSuiAddress(), amount: '-250000' },
      { address: bob.toSuiAddress(), amount: '250000' },
    ]);
    assert.equal(await ledger.balance(alice.toSuiAddress()), 750_000n);
    assert.equal(await ledger.balance(bob.toSuiAddress()), 250_000n);

    const before = await ledger.snapshot([alice.toSuiAddress(), mallory.toSuiAddress()], []);
    // Mallory signs a transaction that claims to be Alice's.
    const forged = await ledger.submit(mallory, { kind: 'transferWal', recipient: mallory.toSuiAddress(), amount: '1' }, { sender: alice.toSuiAddress() });
    assert.equal(forged.status, 401);
    assert.equal(errorReason(forged.json), 'INVALID_TRANSACTION_SIGNATURE');
    // Alice's signature over other bytes.
    const genuine = await ledger.signedBody(alice, { kind: 'transferWal', recipient: mallory.toSuiAddress(), amount: '1' });
    const altered = Buffer.from(Buffer.from(genuine.transaction, 'base64').toString().replace('"1"', '"900000"')).toString('base64');
    const tampered = await ledger.post('/v1/transactions', { transaction: altered, signature: genuine.signature });
    assert.equal(errorReason(tampered.json), 'INVALID_TRANSACTION_SIGNATURE');
    const overdraft = await ledger.submit(alice, { kind: 'transferWal', recipient: mallory.toSuiAddress(), amount: '750001' });
    assert.equal(errorReason(overdraft.json), 'INSUFFICIENT_BALANCE');
    const nothing = await ledger.submit(alice, { kind: 'transferWal', recipient: mallory.toSuiAddress(), amount: '0' });
    assert.equal(errorReason(nothing.json), 'INVALID_TRANSACTION');
    assert.deepEqual(await ledger.snapshot([alice.toSuiAddress(), mallory.toSuiAddress()], []), before);
  });
});

test('a resubmitted transaction is answered with its first outcome and never executes twice', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    await ledger.faucet(wallet.toSuiAddress(), FUNDS);
    const body = await ledger.signedBody(wallet, registerCall(testBlob()));

    const first = await ledger.post<TransactionResponseJson>('/v1/transactions', body);
    assert.equal(first.status, 200);
    const balance = await ledger.balance(wallet.toSuiAddress());
    const replay = await ledger.post<TransactionResponseJson>('/v1/transactions', body);
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.json, first.json);
    assert.equal(await ledger.balance(wallet.toSuiAddress()), balance);
    const owned = (await ledger.get<{ blobObjects: unknown[] }>(`/v1/accounts/${wallet.toSuiAddress()}/blob-objects`)).json.blobObjects;
    assert.equal(owned.length, 1);
  });
});

test('expired transactions, and ones valid for too long, are refused', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    await ledger.faucet(wallet.toSuiAddress(), FUNDS);
    const call = { kind: 'transferWal', recipient: newWallet().toSuiAddress(), amount: '1' } as const;
    const expired = await ledger.submit(wallet, call, { expiresAtMs: Date.now() - 1 });
    assert.equal(errorReason(expired.json), 'TRANSACTION_EXPIRED');
    const tooLong = await ledger.submit(wallet, call, { expiresAtMs: Date.now() + 24 * 3600_000 });
    assert.equal(errorReason(tooLong.json), 'TRANSACTION_EXPIRED');
    assert.equal(await ledger.balance(wallet.toSuiAddress()), FUNDS);
  });
});

test('malformed transactions are refused as INVALID_TRANSACTION or INVALID_REQUEST', async () => {
  await withLedger(async (server) => {
    const ledger = new RawLedgerClient(server.url);
    const wallet = newWallet();
    const sign = async (text: string) => {
      const bytes = Buffer.from(text);
      return { transaction: bytes.toString('base64'), signature: (await wallet.signPersonalMessage(bytes)).signature };
    };
    const sender = wallet.toSuiAddress();
    const payloads = [
      'not json',
      JSON.stringify({ version: 2, sender, nonce: 'n', expiresAtMs: Date.now() + 1000, call: { kind: 'deleteBlob', blobObjectId: sender } }),
      JSON.stringify({ version: 1, sender, nonce: '', expiresAtMs: Date.now() + 1000, call: { kind: 'deleteBlob', blobObjectId: sender } }),
      JSON.stringify({ version: 1, sender, nonce: 'n', expiresAtMs: Date.now() + 1000, call: { kind: 'mint' } }),
      JSON.stringify({ version: 1, sender, nonce: 'n', expiresAtMs: Date.now() + 1000, call: { kind: 'deleteBlob', blobObjectId: '0xABC' } }),
      JSON.stringify({ version: 1, sender, nonce: 'n', expiresAtMs: Date.now() + 1000, call: { kind: 'extendBlob', blobObjectId: sender, extendedEpochs: -1 } }),
    ];
    for (const payload of payloads) {
      const response = await ledger.post('/v1/transactions', await sign(payload));
      assert.equal(response.status, 400, payload);
      assert.equal(errorReason(response.json), 'INVALID_TRANSACTION', payload);
    }
    const missingSignature = await ledger.post('/v1/transactions', { transaction: 'e30=' });
    assert.equal(missingSignature.status, 400);
    assert.equal(errorReason(missingSignature.json), 'INVALID_REQUEST');
    const notBase64 = await ledger.post('/v1/transactions', { transaction: '!!', signature: 'x' });
    assert.equal(errorReason(notBase64.json), 'INVALID_REQUEST');
  });
});

test('the faucet and epoch admin answer loopback clients only', async () => {
  const dataDir = await makeTempDir();
  const ledger = await Ledger.open({ dataDir, genesis: testGenesis() });
  const app = buildLedgerApp({ ledger, ledgerUrl: () => 'http://ledger.test' });
  try {
    const address = newWallet().toSuiAddress();
    for (const remoteAddress of ['10.0.0.7', '::ffff:192.168.1.2']) {
      const faucet = await app.inject({ method: 'POST', url: '/v1/faucet', remoteAddress, payload: { address, amount: '5' } });
      assert.equal(faucet.statusCode, 403);
      assert.equal(errorReason(faucet.json()), 'LOOPBACK_ONLY');
      const advance = await app.inject({ method: 'POST', url: '/v1/admin/advance-epoch', remoteAddress });
      assert.equal(advance.statusCode, 403);
    }
    const local = await app.inject({ method: 'POST', url: '/v1/faucet', remoteAddress: '127.0.0.1', payload: { address, amount: '5' } });
    assert.deepEqual(local.json(), { address, amount: '5', balance: '5' });
    const badAddress = await app.inject({ method: 'POST', url: '/v1/faucet', remoteAddress: '127.0.0.1', payload: { address: '0x1', amount: '5' } });
    assert.equal(errorReason(badAddress.json()), 'INVALID_REQUEST');
    const unknown = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorReason(unknown.json()), 'ROUTE_NOT_FOUND');
  } finally {
    await app.close();
    await ledger.close();
    await removeDir(dataDir);
  }
});
