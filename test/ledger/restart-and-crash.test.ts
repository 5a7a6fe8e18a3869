/** Durability: a restart keeps everything, and a crash mid-write loses nothing that was acknowledged. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { InvalidGenesisError } from '../../src/local/ledger/genesis.ts';
import { Ledger, MissingGenesisError } from '../../src/local/ledger/ledger.ts';
import { LedgerServer } from '../../src/local/ledger/ledger-server.ts';
import type { BlobObjectJson, NetworkJson } from '../../src/local/ledger/wire-json.ts';
import {
  RawLedgerClient,
  certify,
  certifyCall,
  confirmationMessage,
  makeTempDir,
  newWallet,
  registerCall,
  removeDir,
  testBlob,
  testGenesis,
} from './fixtures.ts';

const QUORUM = [0, 1, 2];
const CRASH_CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

function withoutUrl(snapshot: unknown): unknown {
  const { network, ...rest } = snapshot as { network: NetworkJson };
  const { ledgerUrl: _ledgerUrl, ...networkRest } = network;
  return { network: networkRest, ...rest };
}

test('a restarted ledger has the same epoch, balances, blobs, statuses and remembered transactions', async () => {
  const dataDir = await makeTempDir();
  try {
    const first = new LedgerServer({ dataDir, genesis: testGenesis() });
    const ledger = new RawLedgerClient(await first.start());
    const [wallet, friend] = [newWallet(), newWallet()];
    await ledger.faucet(wallet.toSuiAddress(), 5_000_000n);
    await ledger.execute(wallet, { kind: 'transferWal', recipient: friend.toSuiAddress(), amount: '123' });
    await ledger.advanceEpoch();
    const epoch = (await ledger.network()).epoch;
    const blobs = [testBlob(10), testBlob(20), testBlob(30)];
    const objects: BlobObjectJson[] = [];
    for (const [i, blob] of blobs.entries()) {
      objects.push((await ledger.execute(wallet, registerCall(blob, { deletable: i === 2, attributes: { n: String(i) } }))).blobObject as BlobObjectJson);
    }
    await ledger.execute(wallet, certifyCall(objects[0].id, certify(confirmationMessage(epoch, blobs[0]), QUORUM), { kind: 'share' }));
    await ledger.execute(wallet, certifyCall(objects[2].id, certify(confirmationMessage(epoch, blobs[2], objects[2].id), QUORUM)));
    await ledger.execute(wallet, { kind: 'deleteBlob', blobObjectId: objects[2].id });
    const resubmission = await ledger.signedBody(wallet, { kind: 'transferWal', recipient: friend.toSuiAddress(), amount: '7' });
    const transferred = await ledger.post('/v1/transactions', resubmission);

    const addresses = [wallet.toSuiAddress(), friend.toSuiAddress()];
    const blobIds = blobs.map((blob) => blob.blobId);
    const before = await ledger.snapshot(addresses, blobIds);
    await first.stop();

    // Without a genesis this time: the data directory has one.
    const second = new LedgerServer({ dataDir });
    const reopened = new RawLedgerClient(await second.start());
    try {
      assert.deepEqual(withoutUrl(await reopened.snapshot(addresses, blobIds)), withoutUrl(before));
      assert.deepEqual(await reopened.post('/v1/transactions', resubmission), transferred);
      assert.equal(await reopened.balance(friend.toSuiAddress()), 130n);
    } finally {
      await second.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
});

test('an empty data directory needs a genesis; a different committee is refused; moved nodes get their new URLs', async () => {
  const dataDir = await makeTempDir();
  try {
    await assert.rejects(Ledger.open({ dataDir }), MissingGenesisError);
    await assert.rejects(Ledger.open({ dataDir, genesis: testGenesis({ nShards: 11 }) }), InvalidGenesisError);
    await (await Ledger.open({ dataDir, genesis: testGenesis() })).close();

    const genesis = testGenesis();
    const shuffled = { ...genesis, nodes: genesis.nodes.map((node, i) => ({ ...node, shards: genesis.nodes[(i + 1) % genesis.nodes.length].shards })) };
    await assert.rejects(Ledger.open({ dataDir, genesis: shuffled }), InvalidGenesisError);

    const moved = { ...genesis, nodes: genesis.nodes.map((node) => ({ ...node, url: node.url.replace('127.0.0.1:4', '127.0.0.1:5') })) };
    await (await Ledger.open({ dataDir, genesis: moved })).close();
    const reopened = await Ledger.open({ dataDir });
    try {
      assert.deepEqual(reopened.view.committee.map((member) => member.url).sort(), moved.nodes.map((node) => node.url).sort());
    } finally {
      await reopened.close();
    }
  } finally {
    await removeDir(dataDir);
  }
});

async function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString();
    if (output.includes('\n')) break;
  }
  const url = output.trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  return { child, url };
}

test('after a SIGKILL during a stream of writes, every acknowledged write is there', async () => {
  const dataDir = await makeTempDir();
  try {
    const { child, url } = await startChild(dataDir);
    const ledger = new RawLedgerClient(url);
    const wallet = newWallet();
    await ledger.faucet(wallet.toSuiAddress(), 1_000_000_000n);

    const acknowledgedGrants = new Map<string, bigint>();
    const acknowledgedBlobs: string[] = [];
    const attemptedGrants = new Map<string, bigint>();
    let killed = false;
    const writer = async (worker: number) => {
      for (let i = 0; !killed; i++) {
        try {
          if (i % 3 === 0) {
            const blob = (await ledger.execute(wallet, registerCall(testBlob(100 + i)))).blobObject as BlobObjectJson;
            acknowledgedBlobs.push(blob.id);
          } else {
            const address = newWallet().toSuiAddress();
            const amount = BigInt(worker * 1000 + i + 1);
            attemptedGrants.set(address, amount);
            await ledger.faucet(address, amount);
            acknowledgedGrants.set(address, amount);
          }
        } catch (error) {
          if (!killed) throw error;
          return; // The ledger died mid-request: this write was never acknowledged.
        }
      }
    };
    const writers = Promise.all(Array.from({ length: 6 }, (_, worker) => writer(worker)));
    while (acknowledgedGrants.size + acknowledgedBlobs.length < 60) await Promise.race([writers, new Promise((resolve) => setTimeout(resolve, 5))]);
    killed = true;
    child.kill('SIGKILL');
    await once(child, 'exit');
    await writers;

    const restarted = new LedgerServer({ dataDir, genesis: testGenesis() });
    const reopened = new RawLedgerClient(await restarted.start());
    try {
      for (const [address, amount] of acknowledgedGrants) assert.equal(await reopened.balance(address), amount, `grant to ${address}`);
      for (const id of acknowledgedBlobs) assert.equal((await reopened.get(`/v1/blob-objects/${id}`)).status, 200, `blob ${id}`);
      // A write in flight at the crash is either wholly there or wholly absent.
      for (const [address, amount] of attemptedGrants) assert.ok([0n, amount].includes(await reopened.balance(address)));
    } finally {
      await restarted.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
});
