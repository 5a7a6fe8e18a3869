/** The chain-client interface, served by the local ledger: a publisher's and an aggregator's calls. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BlobAlreadyCertifiedError,
  BlobNotDeletableError,
  CertificateBelowQuorumError,
  ChainError,
  ChainUnavailableError,
  InsufficientBalanceError,
  NotObjectOwnerError,
} from '../../src/chain/chain-client.ts';
import { CHAIN_ERROR_CODES } from '../../src/chain/chain-errors.ts';
import { LocalChainClient, chainErrorFromLedgerBody } from '../../src/chain/local-chain-client.ts';
import { ERROR_STATUS_CODES, errorBody } from '../../src/errors/error-body.ts';
import { registrationCost } from '../../src/chain/storage-cost.ts';
import { EncodingParams } from '../../src/codec/params.ts';
import { DOMAIN_LEDGER, LEDGER_ERRORS, type LedgerErrorReason } from '../../src/local/ledger/errors.ts';
import { MAX_EPOCHS_AHEAD, N_SHARDS, TEST_NODES, certify, confirmationMessage, newWallet, testBlob, withLedger } from '../ledger/fixtures.ts';

const QUORUM = [0, 1, 2];

async function withClient(body: (client: LocalChainClient) => Promise<void>): Promise<void> {
  await withLedger(async (server) => {
    const client = new LocalChainClient({ ledgerUrl: server.url });
    try {
      await body(client);
    } finally {
      await client.close();
    }
  });
}

test('system state: epoch, committee in member order with its shard map, prices and limits', async () => {
  await withClient(async (client) => {
    const state = await client.getSystemState();
    assert.equal(state.epoch.epoch, 1);
    assert.equal(state.committee.epoch, 1);
    assert.equal(state.committee.nShards, N_SHARDS);
    assert.equal(state.maxEpochsAhead, MAX_EPOCHS_AHEAD);
    assert.deepEqual(
      state.committee.members.map((member) => [member.index, member.nodeId, member.weight]),
      TEST_NODES.map((node, i) => [i, node.nodeId, node.shards.length]),
    );
    assert.deepEqual(state.committee.members[1].blsPublicKey, TEST_NODES[1].keys.publicKey);
    assert.equal(state.committee.memberByShard.length, N_SHARDS);
    assert.equal(state.committee.memberByShard[7].nodeId, TEST_NODES[2].nodeId);
    assert.equal(typeof state.prices.storagePricePerUnitSize, 'bigint');
  });
});

test("a publisher's store: fund a sub-wallet, register, find the registration again, certify to a recipient", async () => {
  await withClient(async (client) => {
    const main = newWallet();
    const subWallet = newWallet();
    const recipient = newWallet().toSuiAddress();
    await client.requestFaucet(main.toSuiAddress(), 10_000_000n);
    const funded = await client.fundWallet(main, { recipient: subWallet.toSuiAddress(), wal: 4_000_000n, gas: 1_000n });
    assert.ok(funded !== null && funded.digest.length > 0);
    assert.equal(await client.getBalance(subWallet.toSuiAddress()), 4_000_000n);
    assert.equal(await client.getGasBalance(subWallet.toSuiAddress()), null, 'the local ledger charges no gas, so none is sent');
    assert.equal(await client.fundWallet(main, { recipient: subWallet.toSuiAddress(), wal: 0n, gas: 1_000n }), null, 'nothing to send: no transaction');
    assert.equal(await client.getBalance(main.toSuiAddress()), 6_000_000n);

    const state = await client.getSystemState();
    const blob = testBlob(4096);
    const encodedLength = EncodingParams.forShards(state.committee.nShards).encodedLength(blob.size);
    const expectedCost = registrationCost(state.prices, encodedLength, encodedLength, 3);
    const registered = await client.registerBlob(subWallet, {
      blobId: blob.blobId,
      rootHash: blob.rootHash,
      size: blob.size,
      encodedLength,
      epochs: 3,
      deletable: false,
      attributes: { 'content-type': 'image/png' },
    });
    assert.deepEqual(registered.cost, expectedCost);
    assert.equal(await client.getBalance(subWallet.toSuiAddress()), 4_000_000n - expectedCost.total);
    assert.equal(registered.events[0].type, 'blobRegistered');
    assert.deepEqual(registered.blobObject.storage.endEpoch, state.epoch.epoch + 3);

    // A retried PUT finds the registration it did not certify, and reuses it.
    const owned = await client.getOwnedBlobObjects(subWallet.toSuiAddress(), { blobId: blob.blobId });
    assert.deepEqual(owned, [registered.blobObject]);
    assert.deepEqual(await client.getOwnedBlobObjects(subWallet.toSuiAddress(), { blobId: testBlob().blobId }), []);

    const certificate = certify(confirmationMessage(state.epoch.epoch, blob), QUORUM);
    const certified = await client.certifyBlob(subWallet, {
      blobObjectId: registered.blobObject.id,
      certificate,
      postStore: { kind: 'transfer', recipient },
    });
    assert.equal(certified.blobObject.certifiedEpoch, state.epoch.epoch);
    assert.deepEqual(certified.blobObject.owner, { kind: 'address', address: recipient });
    assert.equal(certified.sharedBlobObjectId, null);
    const [event] = certified.events;
    assert.equal(event.type, 'blobCertified');
    assert.deepEqual(event.id, { txDigest: certified.digest, eventSeq: '0' });

    const read = await client.getBlobObject(registered.blobObject.id);
    assert.deepEqual(read, certified.blobObject);
    assert.deepEqual(read?.attributes, { 'content-type': 'image/png' });
    assert.equal(await client.getBlobObject(`0x${'12'.repeat(32)}`), null);

    // Once sent to the recipient, the sub-wallet no longer owns it.
    await assert.rejects(client.certifyBlob(subWallet, { blobObjectId: registered.blobObject.id, certificate }), NotObjectOwnerError);
  });
});

test('shared blobs are read by their SharedBlob ID; deletable ones are extended and deleted by their owner', async () => {
  await withClient(async (client) => {
    const wallet = newWallet();
    await client.requestFaucet(wallet.toSuiAddress(), 10_000_000n);
    const { epoch, committee } = await client.getSystemState();
    const params = EncodingParams.forShards(committee.nShards);

    const permanentBlob = testBlob(10);
    const permanent = await client.registerBlob(wallet, { ...permanentBlob, encodedLength: params.encodedLength(10), epochs: 1, deletable: false });
    const shared = await client.certifyBlob(wallet, {
      blobObjectId: permanent.blobObject.id,
      certificate: certify(confirmationMessage(epoch.epoch, permanentBlob), QUORUM),
      postStore: { kind: 'share' },
    });
    assert.ok(shared.sharedBlobObjectId);
    assert.deepEqual(await client.getBlobObject(shared.sharedBlobObjectId), shared.blobObject);
    await assert.rejects(client.certifyBlob(wallet, { blobObjectId: permanent.blobObject.id, certificate: certify(confirmationMessage(epoch.epoch, permanentBlob), QUORUM) }), NotObjectOwnerError);

    const deletableBlob = testBlob(20);
    const deletable = await client.registerBlob(wallet, { ...deletableBlob, encodedLength: params.encodedLength(20), epochs: 1, deletable: true });
    const certificate = certify(confirmationMessage(epoch.epoch, deletableBlob, deletable.blobObject.id), QUORUM);
    await client.certifyBlob(wallet, { blobObjectId: deletable.blobObject.id, certificate });
    await assert.rejects(client.certifyBlob(wallet, { blobObjectId: deletable.blobObject.id, certificate }), BlobAlreadyCertifiedError);

    const extended = await client.extendBlob(wallet, { blobObjectId: deletable.blobObject.id, extendedEpochs: 2 });
    assert.equal(extended.blobObject.storage.endEpoch, epoch.epoch + 3);
    assert.equal(extended.events[0].type === 'blobCertified' && extended.events[0].isExtension, true);
    assert.ok(extended.cost > 0n);

    const deleted = await client.deleteBlob(wallet, { blobObjectId: deletable.blobObject.id });
    assert.deepEqual(deleted.storage, extended.blobObject.storage);
    assert.equal(deleted.events[0].type, 'blobDeleted');
    assert.equal(await client.getBlobObject(deletable.blobObject.id), null);
    await assert.rejects(client.deleteBlob(wallet, { blobObjectId: permanent.blobObject.id }), NotObjectOwnerError);
  });
});

test('ledger refusals arrive as typed chain errors', async () => {
  await withClient(async (client) => {
    const poor = newWallet();
    const rich = newWallet();
    await client.requestFaucet(poor.toSuiAddress(), 10n);
    await client.requestFaucet(rich.toSuiAddress(), 10_000_000n);
    const { epoch, committee } = await client.getSystemState();
    const blob = testBlob(100);
    const request = { ...blob, encodedLength: EncodingParams.forShards(committee.nShards).encodedLength(100), epochs: 1, deletable: false };

    const insufficient = await client.registerBlob(poor, request).catch((error: unknown) => error);
    assert.ok(insufficient instanceof InsufficientBalanceError);
    assert.equal(insufficient.code, 'INSUFFICIENT_BALANCE');
    assert.equal(insufficient.available, 10n);
    assert.ok((insufficient.required ?? 0n) > 10n);

    const registered = await client.registerBlob(rich, request);
    await assert.rejects(
      client.certifyBlob(rich, { blobObjectId: registered.blobObject.id, certificate: certify(confirmationMessage(epoch.epoch, blob), [0, 1]) }),
      (error: unknown) => error instanceof CertificateBelowQuorumError && error.code === 'CERTIFICATE_BELOW_QUORUM',
    );
    await assert.rejects(client.deleteBlob(rich, { blobObjectId: registered.blobObject.id }), BlobNotDeletableError);
  });
});

test('every ledger refusal reason is documented and maps to the chain error of the same meaning', () => {
  const sameName = new Set<string>(CHAIN_ERROR_CODES);
  for (const [reason, { status, meaning }] of Object.entries(LEDGER_ERRORS) as [LedgerErrorReason, (typeof LEDGER_ERRORS)[LedgerErrorReason]][]) {
    assert.ok(meaning.length > 0, reason);
    const error = chainErrorFromLedgerBody(ERROR_STATUS_CODES[status], errorBody(status, `refused: ${reason}`, { reason, domain: DOMAIN_LEDGER }));
    assert.ok(error instanceof ChainError, reason);
    assert.match(error.message, new RegExp(`refused: ${reason}`));
    if (sameName.has(reason)) assert.equal(error.code, reason);
    else assert.ok(['INVALID_TRANSACTION', 'INVALID_CHAIN_RESPONSE', 'CHAIN_UNAVAILABLE'].includes(error.code), `${reason} → ${error.code}`);
  }
  assert.equal(chainErrorFromLedgerBody(502, { unexpected: true }).code, 'CHAIN_UNAVAILABLE');
  assert.equal(chainErrorFromLedgerBody(418, null).code, 'INVALID_CHAIN_RESPONSE');
});

test('addresses are normalized as Sui does', async () => {
  await withClient(async (client) => {
    const wallet = newWallet();
    await client.requestFaucet(wallet.toSuiAddress().toUpperCase().replace('0X', '0x'), 5n);
    assert.equal(await client.getBalance(wallet.toSuiAddress()), 5n);
    assert.equal(await client.getBalance('0x1'), 0n);
  });
});

test('an aborted call rejects with the abort reason; an unreachable ledger is CHAIN_UNAVAILABLE', async () => {
  await withClient(async (client) => {
    const controller = new AbortController();
    controller.abort(new Error('client went away'));
    await assert.rejects(client.getSystemState({ signal: controller.signal }), /client went away/);
    await assert.rejects(client.fundWallet(newWallet(), { recipient: newWallet().toSuiAddress(), wal: 1n, gas: 0n }, { signal: controller.signal }), /client went away/);
  });
  const unreachable = new LocalChainClient({ ledgerUrl: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
  try {
    await assert.rejects(unreachable.getSystemState(), (error: unknown) => error instanceof ChainUnavailableError && error instanceof ChainError);
  } finally {
    await unreachable.close();
  }
});
