/**
 * Tip transactions on the local ledger, as the relay reads them through the chain client: a WAL
 * transfer carries pure inputs on record (signed with it), `GET /v1/transactions/{digest}` answers
 * when it ran, its inputs and whose balances it changed — also after a restart, from the log —
 * and `LocalChainClient.getTransaction` decodes that into `TransactionDetails`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { toBase58 } from '@mysten/sui/utils';
import { LocalChainClient } from '../../src/chain/local-chain-client.ts';
import { LedgerServer } from '../../src/local/ledger/ledger-server.ts';
import type { TransactionLookupJson } from '../../src/local/ledger/wire-json.ts';
import { MAX_PURE_INPUT_BYTES, MAX_PURE_INPUTS } from '../../src/local/ledger/wire-transactions.ts';
import { errorReason, makeTempDir, newWallet, RawLedgerClient, removeDir, testGenesis, withLedger } from '../ledger/fixtures.ts';

const AMOUNT = 1_234n;

test('a WAL transfer with pure inputs is found by its digest: time, inputs and balance changes', async () => {
  await withLedger(async (server) => {
    const client = new LocalChainClient({ ledgerUrl: server.url });
    try {
      const payer = newWallet();
      const recipient = newWallet().toSuiAddress();
      await client.requestFaucet(payer.toSuiAddress(), 10_000n);
      const inputs = [new Uint8Array(randomBytes(72)), new Uint8Array([1, 2, 3])];
      const startedAt = Date.now();
      const { digest } = await client.transferWal(payer, { recipient, amount: AMOUNT, pureInputs: inputs });
      const found = await client.getTransaction(digest);
      assert.ok(found);
      assert.equal(found.digest, digest);
      assert.equal(found.succeeded, true);
      assert.ok(found.timestampMs !== null && found.timestampMs >= startedAt && found.timestampMs <= Date.now());
      assert.deepEqual(found.inputs, inputs.map((bytes) => ({ kind: 'pure', bytes })));
      assert.deepEqual(found.balanceChanges, [
        { address: payer.toSuiAddress(), coin: 'WAL', amount: -AMOUNT },
        { address: recipient, coin: 'WAL', amount: AMOUNT },
      ]);
      // Any transaction can be looked up; one without pure inputs has none.
      const funding = await client.fundWallet(payer, { recipient, wal: 1n, gas: 0n });
      assert.deepEqual((await client.getTransaction(funding?.digest ?? ''))?.inputs, []);
    } finally {
      await client.close();
    }
  });
});

test('an unknown or malformed digest is null through the client, 404 or 400 from the ledger', async () => {
  await withLedger(async (server) => {
    const client = new LocalChainClient({ ledgerUrl: server.url });
    try {
      const unknown = toBase58(randomBytes(32));
      assert.equal(await client.getTransaction(unknown), null);
      assert.equal(await client.getTransaction('not/a digest'), null);
      const raw = new RawLedgerClient(server.url);
      const missing = await raw.get(`/v1/transactions/${unknown}`);
      assert.equal(missing.status, 404);
      assert.equal(errorReason(missing.json), 'TRANSACTION_NOT_FOUND');
      const malformed = await raw.get(`/v1/transactions/${toBase58(randomBytes(31))}`);
      assert.equal(malformed.status, 400);
      assert.equal(errorReason(malformed.json), 'INVALID_REQUEST');
    } finally {
      await client.close();
    }
  });
});

test('pure inputs are bounded like Sui pure arguments, and must be canonical base64', async () => {
  await withLedger(async (server) => {
    const raw = new RawLedgerClient(server.url);
    const payer = newWallet();
    await raw.faucet(payer.toSuiAddress(), 10_000n);
    const call = { kind: 'transferWal', recipient: newWallet().toSuiAddress(), amount: '1' } as const;
    const tooMany = Array.from({ length: MAX_PURE_INPUTS + 1 }, () => 'AA==');
    const tooLong = [Buffer.alloc(MAX_PURE_INPUT_BYTES + 1).toString('base64')];
    for (const pureInputs of [tooMany, tooLong, ['AA'], [7 as unknown as string]]) {
      const { status, json } = await raw.submit(payer, call, { pureInputs });
      assert.equal(status, 400);
      assert.equal(errorReason(json), 'INVALID_TRANSACTION');
    }
    assert.equal(await raw.balance(payer.toSuiAddress()), 10_000n);
  });
});

test('the lookup survives a ledger restart: it is rebuilt from the log', async () => {
  const dataDir = await makeTempDir();
  try {
    const payer = newWallet();
    let digest: string;
    let before: TransactionLookupJson;
    const first = new LedgerServer({ dataDir, genesis: testGenesis() });
    await first.start();
    try {
      const client = new LocalChainClient({ ledgerUrl: first.url });
      await client.requestFaucet(payer.toSuiAddress(), 100n);
      digest = (await client.transferWal(payer, { recipient: newWallet().toSuiAddress(), amount: 5n, pureInputs: [new Uint8Array(72).fill(3)] })).digest;
      before = (await new RawLedgerClient(first.url).get<TransactionLookupJson>(`/v1/transactions/${digest}`)).json;
      await client.close();
    } finally {
      await first.stop();
    }
    const second = new LedgerServer({ dataDir, genesis: testGenesis() });
    await second.start();
    try {
      assert.deepEqual((await new RawLedgerClient(second.url).get(`/v1/transactions/${digest}`)).json, before);
    } finally {
      await second.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
});
