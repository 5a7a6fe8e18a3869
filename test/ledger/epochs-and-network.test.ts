/** Epochs advance on a timer and by hand; `GET /v1/network` describes the committee in member order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkDescription } from '../../src/local/network-description.ts';
import { MAX_EPOCHS_AHEAD, N_SHARDS, RawLedgerClient, STORAGE_PRICE, TEST_NODES, WRITE_PRICE, testGenesis, withLedger } from './fixtures.ts';

const EPOCH_DURATION_MS = 150;

test('the network description lists the committee by ascending node ID with the system parameters', async () => {
  await withLedger(async (server) => {
    const network = await new RawLedgerClient(server.url).network();
    const description: NetworkDescription = network;
    assert.equal(description.ledgerUrl, server.url);
    assert.equal(description.nShards, N_SHARDS);
    assert.equal(description.epoch, 1);
    assert.deepEqual(
      description.nodes.map((node) => node.nodeId),
      TEST_NODES.map((node) => node.nodeId),
    );
    assert.deepEqual(
      description.nodes.map((node) => node.shards),
      TEST_NODES.map((node) => node.shards),
    );
    assert.equal(description.nodes[0].blsPublicKey, Buffer.from(TEST_NODES[0].keys.publicKey).toString('base64'));
    assert.equal(network.storagePricePerUnitSize, String(STORAGE_PRICE));
    assert.equal(network.writePricePerUnitSize, String(WRITE_PRICE));
    assert.equal(network.maxEpochsAhead, MAX_EPOCHS_AHEAD);
    assert.equal(network.epochDurationMs, 0);
  });
});

test('epochs advance every epochDurationMs, and by hand', async () => {
  await withLedger(
    async (server) => {
      const ledger = new RawLedgerClient(server.url);
      const start = await ledger.network();
      assert.equal(start.epochDurationMs, EPOCH_DURATION_MS);
      await new Promise((resolve) => setTimeout(resolve, EPOCH_DURATION_MS * 2.5));
      const later = await ledger.network();
      assert.ok(later.epoch >= start.epoch + 2, `epoch ${later.epoch} after two durations from ${start.epoch}`);
      assert.ok(later.epochStartedAtMs > start.epochStartedAtMs);
      assert.equal(await ledger.advanceEpoch(), (await ledger.network()).epoch);
    },
    { genesis: testGenesis({ epochDurationMs: 10_000 }), epochDurationMs: EPOCH_DURATION_MS },
  );
});
