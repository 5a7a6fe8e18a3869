/**
 * `walrus-gateway aggregator` and `walrus-gateway daemon`: read the configuration, connect to the
 * network (on `--network local` with no `--local-network-dir`, start an embedded local network in
 * the data directory), serve the API and the metrics, and stop cleanly on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { join, resolve } from 'node:path';
import { Blocklist } from '../aggregator/blocklist.ts';
import { LocalChainClient } from '../chain/local-chain-client.ts';
import { kernelSelection } from '../codec/kernel/select-kernel.ts';
import { ConfigError, loadConfig, optionsUsage, type GatewayConfig, type GatewayMode } from '../config.ts';
import { buildApp } from '../http/app.ts';
import { GatewayMetrics, startMetricsServer } from '../http/metrics.ts';
import { LocalNetwork } from '../local/local-network.ts';
import { openPublisher } from '../publisher/publisher-setup.ts';
import type { NetworkDescription } from '../local/network-description.ts';
import { UsageError } from './usage-error.ts';

const LOCAL_NETWORK_SUBDIR = 'local-network';
const NETWORK_FILE = 'network.json';

const summary: Record<GatewayMode, string> = {
  aggregator: 'Serves Walrus blobs over HTTP (the reference aggregator API).',
  publisher: 'Stores blobs on Walrus over HTTP (the reference publisher API: PUT /v1/blobs).',
  daemon: 'Serves the aggregator and publisher APIs on one port.',
};

export function gatewayUsage(mode: GatewayMode): string {
  return `walrus-gateway ${mode} [options]

${summary[mode]} On --network local without --local-network-dir, an embedded local
network is started in DATA_DIR/${LOCAL_NETWORK_SUBDIR}. Options (flag, environment variable, default):
${optionsUsage()}`;
}

interface Network {
  readonly ledgerUrl: string;
  readonly stop: () => Promise<void>;
}

/** Connects to the configured network, starting the embedded one when none is configured. */
async function connectNetwork(config: GatewayConfig, out: (line: string) => void): Promise<Network> {
  if (config.localNetworkDir !== undefined) {
    const path = join(resolve(config.localNetworkDir), NETWORK_FILE);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`--local-network-dir: cannot read ${path}: ${error.code ?? error.message}`);
    });
    const description = JSON.parse(text) as NetworkDescription;
    out(`using the local network described in ${path} (ledger ${description.ledgerUrl})`);
    return { ledgerUrl: description.ledgerUrl, stop: async () => {} };
  }
  const dataDir = resolve(config.dataDir, LOCAL_NETWORK_SUBDIR);
  const network = await LocalNetwork.start({ dataDir });
  const description = await network.description();
  out(`embedded local Walrus network up: ${description.nodes.length} nodes, ${description.nShards} shards, epoch ${description.epoch} (${dataDir})`);
  out(`fault controls ${description.controlUrl}`);
  return { ledgerUrl: network.ledger.url, stop: () => network.stop() };
}

async function runGateway(mode: GatewayMode, args: string[], out: (line: string) => void): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig(mode, args);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const blocklist = config.blocklistPath ? Blocklist.load(config.blocklistPath) : Blocklist.empty();
  const selection = kernelSelection();
  out(selection.description);
  const network = await connectNetwork(config, out);
  const chain = new LocalChainClient({ ledgerUrl: network.ledgerUrl });
  // Fail at start-up, not at the first read, when the network does not answer.
  const state = await chain.getSystemState().catch((error: unknown) => {
    throw new ConfigError(`the local network's ledger at ${network.ledgerUrl} does not answer: ${(error as Error).message}`);
  });
  const metrics = new GatewayMetrics({ kernelDescription: selection.description, kernelName: selection.kernel.name, mode, processMetrics: true });
  const publisher =
    mode === 'aggregator'
      ? undefined
      : await openPublisher({
          config,
          chain,
          kernel: selection.kernel,
          registry: metrics.registry,
          log: pino({ level: config.logLevel }),
          faucet: (address, amount) => chain.requestFaucet(address, amount),
        });
  if (publisher) out(`publisher main wallet ${publisher.mainWallet}`);
  const { app } = buildApp({ config, chain, kernel: selection.kernel, metrics, blocklist, publisher });
  const metricsServer = await startMetricsServer(metrics.registry, config.metricsHost, config.metricsPort);
  const address = await app.listen({ host: config.bindHost, port: config.bindPort });
  out(`walrus-gateway ${mode} listening on ${address} (epoch ${state.epoch.epoch}, ${state.committee.nShards} shards); metrics on ${metricsServer.url}`);
  if (blocklist.size > 0) out(`blocklist: ${blocklist.size} blob IDs`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  out('stopping…');
  await app.close();
  await new Promise<void>((done) => metricsServer.server.close(() => done()));
  await chain.close();
  await network.stop();
}

export const aggregatorCommand = (args: string[], out: (line: string) => void) => runGateway('aggregator', args, out);
export const publisherCommand = (args: string[], out: (line: string) => void) => runGateway('publisher', args, out);
export const daemonCommand = (args: string[], out: (line: string) => void) => runGateway('daemon', args, out);
