/** A local network in its own process: up and described, usable, stopped on request or with its parent. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalChainClient } from '../../src/chain/local-chain-client.ts';
import { LocalNetworkProcess } from '../../src/local/local-network-process.ts';

const SMALL = { nodes: 4, shards: 10 };

async function answers(url: string): Promise<boolean> {
  return fetch(`${url}/v1/network`).then(
    (response) => response.ok,
    () => false,
  );
}

async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('a local network process', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'walrus-network-process-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('starts, serves its ledger and nodes, and stops on request', async () => {
    const network = await LocalNetworkProcess.start({ dataDir: join(dataDir, 'a'), ...SMALL });
    const { description } = network;
    assert.equal(description.nodes.length, SMALL.nodes);
    assert.equal(description.nShards, SMALL.shards);
    const chain = new LocalChainClient({ ledgerUrl: description.ledgerUrl });
    const state = await chain.getSystemState();
    assert.equal(state.committee.members.length, SMALL.nodes);
    await chain.close();
    const health = await fetch(`${description.nodes[0].url}/v1/health`);
    assert.equal(health.status, 200);
    // Its own CPU time, as benchmarks report it beside the gateway's: it has started ten servers.
    const first = await network.cpuUsage();
    assert.ok(first.user + first.system > 0);
    const [second, third] = await Promise.all([network.cpuUsage(), network.cpuUsage()]);
    assert.ok(second.user + second.system >= first.user + first.system && third.user + third.system >= first.user + first.system);
    await network.stop();
    assert.equal(await answers(description.ledgerUrl), false, 'the ledger is gone');
  });

  it('stops when its parent dies', async () => {
    // A parent that starts the network, prints its ledger URL and then is killed outright.
    const script = `
      const { LocalNetworkProcess } = await import(${JSON.stringify(new URL('../../src/local/local-network-process.ts', import.meta.url).href)});
      const network = await LocalNetworkProcess.start({ dataDir: ${JSON.stringify(join(dataDir, 'b'))}, nodes: 4, shards: 10 });
      console.log(network.description.ledgerUrl);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ledgerUrl = await new Promise<string>((resolve, reject) => {
      let text = '';
      parent.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /http:\/\/\S+/.exec(text);
        if (match) resolve(match[0]);
      });
      parent.once('exit', () => reject(new Error(`the parent exited first: ${text}`)));
    });
    assert.equal(await answers(ledgerUrl), true);
    parent.kill('SIGKILL');
    await waitUntil(async () => !(await answers(ledgerUrl)), 'the orphaned network stops');
  });
});
