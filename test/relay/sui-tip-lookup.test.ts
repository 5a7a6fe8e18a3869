/**
 * Tip transactions on Sui, offline: a tip PTB built the SDK's way (its auth payload as the first
 * pure input, SUI split from gas and sent to the relay) is signed and executed on the in-memory
 * full node; `SuiChainClient.getTransaction` reads it back from the transaction's own BCS bytes and
 * the node's balance changes, and the relay's checks accept it — and refuse a tip in WAL, a
 * system transaction, an aborted one, and malformed answers. Nothing here reaches a network.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { bcs } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { normalizeSuiAddress, toBase58 } from '@mysten/sui/utils';
import { InvalidChainResponseError } from '../../src/chain/chain-errors.ts';
import { SuiChainClient } from '../../src/chain/sui-chain-client.ts';
import { resolveSuiNetwork } from '../../src/chain/sui-network-presets.ts';
import { TipAuthenticationError, TipNotPaidError } from '../../src/relay/relay-errors.ts';
import { checkAuthPayload, checkTipPaid } from '../../src/relay/tip-check.ts';
import type { TipPolicy } from '../../src/relay/tip-config.ts';
import { FakeSuiClient } from '../chain/fake-sui-client.ts';
import { installWalrus, STAKING_OBJECT_ID, SYSTEM_OBJECT_ID, WAL_COIN_TYPE, walrusStateFixture } from '../chain/sui-fixtures.ts';
import { sdkAuthPayload } from '../fixtures/walrus-sdk.ts';

const SUI = '0x2::sui::SUI';
const MIST_PER_SUI = 1_000_000_000n;
const TIP = 31_415n;
const TIP_ADDRESS = normalizeSuiAddress('0x2a2a');
const EXECUTED_AT = 1_760_000_000_000;
const TIP_POLICY: TipPolicy = { address: TIP_ADDRESS, kind: { kind: 'const', amount: TIP }, coin: 'SUI' };

function setup() {
  const fake = new FakeSuiClient();
  installWalrus(fake, walrusStateFixture({ epochState: 'EpochChangeDone' }));
  const network = resolveSuiNetwork({ network: 'custom', rpcUrl: 'http://127.0.0.1:9', systemObjectId: SYSTEM_OBJECT_ID, stakingObjectId: STAKING_OBJECT_ID });
  const signer = new Ed25519Keypair();
  fake.addCoin(signer.toSuiAddress(), SUI, 10n * MIST_PER_SUI);
  return { fake, signer, sender: signer.toSuiAddress(), chain: new SuiChainClient({ network, client: fake }) };
}

/** Signs and executes, on the fake node, a PTB whose first input is `payload`, tipping `amount` MIST to the relay. */
async function executeTip(fake: FakeSuiClient, signer: Ed25519Keypair, payload: Uint8Array): Promise<string> {
  const tx = new Transaction();
  tx.setSender(signer.toSuiAddress());
  // What the SDK's addAuthPayload and sendUploadRelayTip add, in this order.
  tx.pure(payload);
  tx.transferObjects([tx.splitCoins(tx.gas, [TIP])], TIP_ADDRESS);
  const bytes = await tx.build({ client: fake });
  const { signature } = await signer.signTransaction(bytes);
  const result = await fake.executeTransaction({ transaction: bytes, signatures: [signature] });
  return result.$kind === 'Transaction' ? result.Transaction.digest : result.FailedTransaction.digest;
}

describe('tip transactions on Sui (offline)', () => {
  const blob = randomBytes(5_000);
  const nonce = randomBytes(32);

  test("the SDK's tip PTB reads back: first input the auth payload, balance changes by coin, the checkpoint time; the relay's checks accept it", async () => {
    const { fake, chain, signer, sender } = setup();
    const payload = await sdkAuthPayload(blob.length, createHash('sha256').update(blob).digest(), nonce);
    const digest = await executeTip(fake, signer, payload);
    fake.transactionFacts.set(digest, {
      timestampMs: EXECUTED_AT,
      balanceChanges: [
        { coinType: '0x0000000000000000000000000000000000000000000000000000000000000002::sui::SUI', address: sender, amount: String(-(TIP + 1_500_000n)) },
        { coinType: SUI, address: '0x2a2a', amount: String(TIP) },
        { coinType: WAL_COIN_TYPE, address: sender, amount: '-7' },
        { coinType: '0xabc::other::OTHER', address: sender, amount: '1' },
      ],
    });
    const details = await chain.getTransaction(digest);
    assert.ok(details);
    assert.equal(details.digest, digest);
    assert.equal(details.timestampMs, EXECUTED_AT);
    assert.equal(details.succeeded, true);
    assert.deepEqual(details.inputs?.[0], { kind: 'pure', bytes: payload });
    assert.deepEqual(
      details.balanceChanges.map(({ address, coin, amount }) => [address, coin, amount]),
      [
        [sender, 'SUI', -(TIP + 1_500_000n)],
        [TIP_ADDRESS, 'SUI', TIP],
        [sender, 'WAL', -7n],
        [sender, 'other', 1n],
      ],
    );
    const [lookup] = fake.callsOf('getTransaction') as { include: Record<string, boolean> }[];
    assert.deepEqual(lookup.include, { bcs: true, balanceChanges: true });

    checkTipPaid(details, TIP_POLICY, TIP);
    assert.throws(() => checkTipPaid(details, TIP_POLICY, TIP + 1n), TipNotPaidError);
    checkAuthPayload(details, blob, nonce);
    assert.throws(() => checkAuthPayload(details, blob, randomBytes(32)), (error: TipAuthenticationError) => error.code === 'INVALID_NONCE_HASH');
  });

  test('a tip paid in WAL is no tip on Sui: the relay asks for SUI, as the reference', async () => {
    const { fake, chain, signer } = setup();
    const digest = await executeTip(fake, signer, await sdkAuthPayload(blob.length, createHash('sha256').update(blob).digest(), nonce));
    fake.transactionFacts.set(digest, { timestampMs: EXECUTED_AT, balanceChanges: [{ coinType: WAL_COIN_TYPE, address: TIP_ADDRESS, amount: String(TIP) }] });
    const details = await chain.getTransaction(digest);
    assert.ok(details);
    assert.throws(() => checkTipPaid(details, TIP_POLICY, TIP), (error: TipNotPaidError) => error.code === 'NO_TIP_SENT');
  });

  test('an aborted transaction tipped nothing', async () => {
    const { fake, chain, signer } = setup();
    const digest = await executeTip(fake, signer, new Uint8Array(72));
    fake.transactionFacts.set(digest, { timestampMs: EXECUTED_AT, balanceChanges: [{ coinType: SUI, address: TIP_ADDRESS, amount: String(TIP) }], failed: true });
    const details = await chain.getTransaction(digest);
    assert.equal(details?.succeeded, false);
    assert.throws(() => checkTipPaid(details, TIP_POLICY, TIP), (error: TipNotPaidError) => error.code === 'NO_TIP_SENT');
  });

  test('a system transaction has no inputs to authenticate with', async () => {
    const { fake, chain } = setup();
    const zero = normalizeSuiAddress('0x0');
    const bytes = bcs.TransactionData.serialize({
      V1: {
        kind: { ConsensusCommitPrologue: { epoch: 900, round: 1, commitTimestampMs: EXECUTED_AT } },
        sender: zero,
        gasData: { payment: [], owner: zero, price: 1, budget: 0 },
        expiration: { None: true },
      },
    }).toBytes();
    const digest = fake.addTransaction(bytes, { timestampMs: EXECUTED_AT, balanceChanges: [] });
    const details = await chain.getTransaction(digest);
    assert.equal(details?.inputs, null);
    assert.throws(() => checkAuthPayload(details, blob, nonce), (error: TipAuthenticationError) => error.code === 'INVALID_TIP_TRANSACTION');
  });

  test('unknown and malformed digests are null; malformed node answers are INVALID_CHAIN_RESPONSE', async () => {
    const { fake, chain, signer } = setup();
    assert.equal(await chain.getTransaction(toBase58(randomBytes(32))), null);
    const asked = fake.callsOf('getTransaction').length;
    assert.equal(await chain.getTransaction('../../etc'), null);
    assert.equal(fake.callsOf('getTransaction').length, asked, 'a malformed digest is not sent to the node');

    const garbage = fake.addTransaction(new Uint8Array(40).fill(0xff), { timestampMs: EXECUTED_AT, balanceChanges: [] });
    await assert.rejects(chain.getTransaction(garbage), InvalidChainResponseError);
    const digest = await executeTip(fake, signer, new Uint8Array(72));
    fake.transactionFacts.set(digest, { timestampMs: EXECUTED_AT, balanceChanges: [{ coinType: SUI, address: TIP_ADDRESS, amount: '12abc' }] });
    await assert.rejects(chain.getTransaction(digest), InvalidChainResponseError);
  });
});
