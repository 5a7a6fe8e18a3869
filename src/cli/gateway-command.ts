/**
 * `walrus-gateway aggregator`, `publisher` and `daemon`: read the configuration, connect to the
 * network (see network-connection.ts), serve the API and the metrics, and stop cleanly on
 * SIGINT/SIGTERM. Everything past the connection sees only the chain-client interface.
 */
import { pino } from 'pino';
import { Blocklist } from '../aggregator/blocklist.ts';
import { openCodec } from '../codec/codec-workers.ts';
import { kernelSelection } from '../codec/kernel/select-kernel.ts';
import { ConfigError, loadConfig, optionsUsage, type GatewayConfig, type GatewayMode } from '../config.ts';
import { buildApp } from '../http/app.ts';
import { GatewayMetrics, startMetricsServer } from '../http/metrics.ts';
import { openPublisher } from '../publisher/publisher-setup.ts';
import { openUploadRelay } from '../relay/relay-setup.ts';
import { tipConfigJson } from '../relay/tip-config.ts';
import { connectNetwork, LOCAL_NETWORK_SUBDIR, type NetworkConnection } from './network-connection.ts';
import { UsageError } from './usage-error.ts';

const summary: Record<GatewayMode, string> = {
  aggregator: 'Serves Walrus blobs over HTTP (the reference aggregator API).',
  publisher: 'Stores blobs on Walrus over HTTP (the reference publisher API: PUT /v1/blobs).',
  daemon: 'Serves the aggregator and publisher APIs on one port (and, with --upload-relay, the upload relay).',
  'upload-relay': 'Serves the upload relay API (POST /v1/blob-upload-relay, GET /v1/tip-config), on port 57391 by default: clients register blobs themselves, the relay fans the slivers out and answers the certificate.',
};

export function gatewayUsage(mode: GatewayMode): string {
  return `walrus-gateway ${mode} [options]

${summary[mode]} --network testnet|mainnet|custom talks to a Sui full node (publisher
and daemon need a funded --wallet-key-file); on --network local without --local-network-dir, an
embedded local network is started in DATA_DIR/${LOCAL_NETWORK_SUBDIR}. Options (flag, environment variable, default):
${optionsUsage()}`;
}

/** A configuration that cannot be used is a usage error: exit 2 with the usage text. */
function readConfig(mode: GatewayMode, args: string[]): GatewayConfig {
  try {
    return loadConfig(mode, args);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

async function runGateway(mode: GatewayMode, args: string[], out: (line: string) => void): Promise<void> {
  const config = readConfig(mode, args);
  const blocklist = config.blocklistPath ? Blocklist.load(config.blocklistPath) : Blocklist.empty();
  const selection = kernelSelection();
  out(selection.description);
  const network = await connectNetwork(config, out);
  let stopServers: () => Promise<void>;
  try {
    stopServers = await serve(mode, config, network, blocklist, selection, out);
  } catch (error) {
    // A failed start must not leave an embedded network running and holding the process open.
    await network.stop();
    throw error;
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  out('stopping…');
  await stopServers();
  await network.stop();
}

/** Starts the HTTP and metrics servers on an open network; returns how to stop them. */
async function serve(
  mode: GatewayMode,
  config: GatewayConfig,
  network: NetworkConnection,
  blocklist: Blocklist,
  selection: ReturnType<typeof kernelSelection>,
  out: (line: string) => void,
): Promise<() => Promise<void>> {
  const { chain } = network;
  // Fail at start-up, not at the first read, when the network does not answer.
  const state = await chain.getSystemState().catch((error: unknown) => {
    throw new ConfigError(`${network.label} does not answer: ${(error as Error).message}`);
  });
  const metrics = new GatewayMetrics({ kernelDescription: selection.description, kernelName: selection.kernel.name, mode, processMetrics: true });
  const log = pino({ level: config.logLevel });
  // One codec for the whole process: reads, stores and the relay share its workers.
  const codec = openCodec(config.codecWorkers, selection.kernel, log.child({ component: 'codec' }));
  out(config.codecWorkers > 0 ? `codec: ${config.codecWorkers} worker thread(s)` : 'codec: on the event loop (--codec-workers 0)');
  try {
    const publisher =
      mode === 'publisher' || mode === 'daemon'
        ? await openPublisher({ config, chain, codec, registry: metrics.registry, log, faucet: network.faucet })
        : undefined;
    if (publisher) out(`publisher main wallet ${publisher.mainWallet}`);
    const relay = config.relay.enabled ? openUploadRelay({ config, chain, codec, registry: metrics.registry, log }) : undefined;
    if (relay) out(`upload relay: tip ${JSON.stringify(tipConfigJson(config.relay.tip))}`);
    const { app } = buildApp({ config, chain, kernel: selection.kernel, codec, metrics, blocklist, publisher, relay });
    const metricsServer = await startMetricsServer(metrics.registry, config.metricsHost, config.metricsPort);
    const address = await app.listen({ host: config.bindHost, port: config.bindPort });
    out(`walrus-gateway ${mode} listening on ${address} (epoch ${state.epoch.epoch}, ${state.committee.nShards} shards); metrics on ${metricsServer.url}`);
    if (blocklist.size > 0) out(`blocklist: ${blocklist.size} blob IDs`);
    return async () => {
      await app.close();
      await new Promise<void>((done) => metricsServer.server.close(() => done()));
      // After the app: requests still draining may need the codec until then.
      await codec.close();
    };
  } catch (error) {
    await codec.close();
    throw error;
  }
}

export const aggregatorCommand = (args: string[], out: (line: string) => void) => runGateway('aggregator', args, out);
export const publisherCommand = (args: string[], out: (line: string) => void) => runGateway('publisher', args, out);
export const daemonCommand = (args: string[], out: (line: string) => void) => runGateway('daemon', args, out);
export const uploadRelayCommand = (args: string[], out: (line: string) => void) => runGateway('upload-relay', args, out);
