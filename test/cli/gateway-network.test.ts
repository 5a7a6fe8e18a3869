/**
 * `walrus-gateway daemon|aggregator --network …` (the command line, run in this process): a Sui
 * network without a wallet key is refused before anything is contacted, and a Sui network is
 * reached through the configured RPC URL (here a loopback server standing in for an unreachable
 * full node). test/cli/blob-id.test.ts runs the entry point as a process.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runCli as run } from '../fixtures/cli.ts';

describe('gateway commands on Sui networks', () => {
  let server: Server;
  let rpcUrl: string;
  const connections: number[] = [];
  const paths: string[] = [];
  before(async () => {
    // Answers every RPC with 503, as a full node that is down behind a proxy would.
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      request.resume();
      response.writeHead(503, { connection: 'close' }).end();
    });
    server.on('connection', () => connections.push(Date.now()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rpcUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('daemon --network testnet without a wallet key: usage error naming the fix, before any connection', async () => {
    const before = connections.length;
    const result = await run(['daemon', '--network', 'testnet', '--rpc-url', rpcUrl]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /walrus-gateway daemon: --network testnet: the daemon pays for storage from a funded main wallet; set --wallet-key-file FILE/);
    assert.match(result.stderr, /no faucet on testnet/);
    assert.equal(result.stdout, '', 'nothing started: no kernel, no network');
    assert.equal(connections.length, before, 'the RPC URL was never contacted');
  });

  it('aggregator --network custom talks to the configured RPC URL and fails the start clearly when it does not answer', async () => {
    const before = connections.length;
    const result = await run(['aggregator', '--network', 'custom', '--rpc-url', rpcUrl, '--system-object', '0x5', '--staking-object', '0x6', '--bind-address', '127.0.0.1:0', '--metrics-address', '127.0.0.1:0']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, new RegExp(`Sui custom via ${rpcUrl}: Walrus system object 0x0+5, staking object 0x0+6`));
    assert.match(result.stderr, new RegExp(`walrus-gateway aggregator: the Sui full node at ${rpcUrl} does not answer`));
    assert.ok(connections.length > before, 'the gateway went to the configured RPC URL');
    assert.ok(paths.some((path) => path.startsWith('/sui.rpc.v2.')), `gRPC calls to the Sui RPC services, saw ${paths.join(', ')}`);
  });
});
