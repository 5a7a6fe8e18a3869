/**
 * The embedded local network end to end: a blob stored through the ledger and the nodes and read
 * back; the same data directory restarting the same network; fault controls; the CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChainClient } from '../../src/chain/local-chain-client.ts';
import { LocalNetwork, type LocalNetworkDescription } from '../../src/local/local-network.ts';
import { LOCAL_PORT_RANGE } from '../../src/local/network-identity.ts';
import { randomBytes } from '../fixtures/random.ts';
import { readBlob, storeBlob } from '../fixtures/local-store.ts';
import { CLI_ENTRY, runCli } from '../fixtures/cli.ts';

const WAL = 1_000_000_000n;
const SMALL = { nodes: 4, shards: 10 };

async function readDescription(dataDir: string): Promise<LocalNetworkDescription> {
  return JSON.parse(await readFile(join(dataDir, 'network.json'), 'utf8')) as LocalNetworkDescription;
}

describe('a local network', () => {
  let dataDir: string;
  let network: LocalNetwork;
  let chain: LocalChainClient;
  const wallet = new Ed25519Keypair();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'walrus-local-network-'));
    network = await LocalNetwork.start({ dataDir, ...SMALL });
    chain = new LocalChainClient({ ledgerUrl: network.ledger.url });
    await chain.requestFaucet(wallet.toSuiAddress(), 100n * WAL);
  });

  after(async () => {
    await chain.close();
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('listens on distinct ports below the ephemeral range, so no outgoing connection can take one first', () => {
    const { ledgerPort, controlPort, nodes } = network.identity;
    const ports = [ledgerPort, controlPort, ...nodes.map((node) => node.port)];
    assert.equal(new Set(ports).size, ports.length);
    for (const port of ports) assert.ok(port >= LOCAL_PORT_RANGE.low && port <= LOCAL_PORT_RANGE.high, `port ${port}`);
  });

  test('describes itself in network.json and from the ledger', async () => {
    const description = await readDescription(dataDir);
    assert.equal(description.nShards, 10);
    assert.equal(description.nodes.length, 4);
    assert.deepEqual(description.nodes.flatMap((node) => node.shards).sort((a, b) => a - b), [...Array(10).keys()]);
    assert.ok(description.nodes.every((node) => node.url.startsWith('http://127.0.0.1:')));
    assert.match(description.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual((await network.description()).nodes, description.nodes);
  });

  test('stores a blob through ledger and nodes, and reads it back', async () => {
    const blob = randomBytes(20_000, 1);
    const object = await storeBlob(chain, wallet, blob);
    assert.equal(object.certifiedEpoch, 1);
    assert.deepEqual(await readBlob(chain, object.blobId), blob);
  });

  test('fault controls stop and start a node and validate faults', async () => {
    const { controlUrl, nodes } = await readDescription(dataDir);
    const target = nodes[0];
    const stopped = await fetch(`${controlUrl}/v1/nodes/${target.name}/stop`, { method: 'POST' });
    assert.deepEqual(await stopped.json(), { name: target.name, running: false });
    await assert.rejects(fetch(`${target.url}/v1/health`), 'a stopped node refuses connections');
    const started = await fetch(`${controlUrl}/v1/nodes/${target.name}/start`, { method: 'POST' });
    assert.deepEqual(await started.json(), { name: target.name, running: true });
    assert.equal((await fetch(`${target.url}/v1/health`)).status, 200);

    const faults = await fetch(`${controlUrl}/v1/nodes/${target.name}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 0, corruptSlivers: false }),
    });
    assert.equal(faults.status, 200);
    for (const bad of [{ latencyMs: -1 }, { corruptSlivers: 'yes' }, { explode: true }]) {
      const response = await fetch(`${controlUrl}/v1/nodes/${target.name}/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bad),
      });
      assert.equal(response.status, 400, JSON.stringify(bad));
      assert.equal(((await response.json()) as { error: { details: { reason: string }[] } }).error.details[0].reason, 'INVALID_FAULTS');
    }
    assert.equal((await fetch(`${controlUrl}/v1/nodes/nobody/stop`, { method: 'POST' })).status, 404);
  });

  test('the same data directory brings back the same network, keys and data', async () => {
    const before = await readDescription(dataDir);
    const blob = randomBytes(3_000, 2);
    const object = await storeBlob(chain, wallet, blob);
    await chain.close();
    await network.stop();

    network = await LocalNetwork.start({ dataDir, nodes: 7, shards: 31 });
    chain = new LocalChainClient({ ledgerUrl: network.ledger.url });
    const after = await readDescription(dataDir);
    assert.deepEqual(after.nodes, before.nodes, 'same nodes, keys, shards and URLs; the sizes asked for are ignored');
    assert.equal(after.ledgerUrl, before.ledgerUrl);
    assert.deepEqual(await readBlob(chain, object.blobId), blob);
    assert.equal((await chain.getBlobObject(object.id))?.certifiedEpoch, 1);
  });
});

test('walrus-gateway local-network starts, writes network.json and stops on SIGTERM', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'walrus-local-network-cli-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'local-network', '--nodes', '3', '--shards', '7', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('network.json')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    const description = await readDescription(dataDir);
    assert.equal(description.nodes.length, 3);
    assert.equal(description.nShards, 7);
    assert.equal((await fetch(`${description.ledgerUrl}/v1/network`)).status, 200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('local-network refuses bad options', async () => {
  for (const args of [['--nodes', '0'], ['--shards', 'many'], ['--nodes', '5', '--shards', '4'], ['--bogus']]) {
    const { code, stdout, stderr } = await runCli(['local-network', ...args]);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /local-network/);
    assert.equal(stdout, '', `${args.join(' ')}: nothing started`);
  }
});
