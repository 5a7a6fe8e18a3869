import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kernelSelection } from '../codec/kernel/select-kernel.ts';
import { DEFAULT_NODES, DEFAULT_SHARDS, LocalNetwork } from '../local/local-network.ts';
import type { CpuUsageAnswer, CpuUsageRequest, LocalNetworkReady } from '../local/local-network-process.ts';
import { UsageError } from './usage-error.ts';

const DEFAULT_DATA_DIR = '.data/local-network';

export const localNetworkUsage = `walrus-gateway local-network [--nodes ${DEFAULT_NODES}] [--shards ${DEFAULT_SHARDS}] [--data-dir DIR] [--epoch-duration-ms MS] [--tls]

Starts an embedded Walrus network on loopback — a ledger playing Sui's part and storage nodes
speaking the storage-node API — and writes its description to DIR/network.json. The same DIR
brings back the same network, keys and data; --nodes and --shards apply only to a new DIR.
  --data-dir DIR            where the network lives (default ${DEFAULT_DATA_DIR})
  --epoch-duration-ms MS    length of an epoch (default one day)
  --tls                     nodes serve TLS with a certificate for their on-chain network key,
                            so gateways pin it as on testnet and mainnet (default plain HTTP)`;

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--${name} must be a positive whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `walrus-gateway local-network`: runs until interrupted. */
export async function localNetworkCommand(args: string[], out: (line: string) => void): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        nodes: { type: 'string' },
        shards: { type: 'string' },
        'data-dir': { type: 'string' },
        'epoch-duration-ms': { type: 'string' },
        tls: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const nodes = positiveInteger('nodes', values.nodes) ?? DEFAULT_NODES;
  const shards = positiveInteger('shards', values.shards) ?? DEFAULT_SHARDS;
  if (shards < nodes) throw new UsageError(`--shards (${shards}) must be at least --nodes (${nodes})`);
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const network = await LocalNetwork.start({
    dataDir,
    nodes,
    shards,
    epochDurationMs: positiveInteger('epoch-duration-ms', values['epoch-duration-ms']),
    tls: values.tls ?? false,
  });
  const description = await network.description();
  out(`local Walrus network up: ${description.nodes.length} nodes, ${description.nShards} shards, epoch ${description.epoch}`);
  out(`ledger ${description.ledgerUrl}; fault controls ${description.controlUrl}`);
  out(`description: ${dataDir}/network.json`);
  out(kernelSelection().description);
  // Started by LocalNetworkProcess: report readiness to the parent, and stop when it goes away.
  process.send?.({ ready: description } satisfies LocalNetworkReady);
  process.on('message', (message: Partial<CpuUsageRequest>) => {
    if (typeof message?.cpuUsageRequest === 'number') process.send?.({ cpuUsageAnswer: message.cpuUsageRequest, usage: process.cpuUsage() } satisfies CpuUsageAnswer);
  });
  await new Promise<void>((done) => {
    const shutdown = () => done();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    if (process.connected) process.once('disconnect', shutdown);
  });
  out('stopping…');
  await network.stop();
  // An open IPC channel would keep this process alive.
  if (process.connected) process.disconnect();
}
