/**
 * The chain client for the configured `--network`: the one place that knows which network the
 * gateway runs on. `local` reads a running local network's description or starts one embedded in
 * the data directory; `testnet`, `mainnet` and `custom` talk to a Sui full node.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ChainClient, SuiAddress } from '../chain/chain-client.ts';
import { LocalChainClient } from '../chain/local-chain-client.ts';
import { SuiChainClient } from '../chain/sui-chain-client.ts';
import type { ResolvedSuiNetwork } from '../chain/sui-network-presets.ts';
import { ConfigError, type GatewayConfig } from '../config.ts';
import { LocalNetworkProcess } from '../local/local-network-process.ts';
import type { NetworkDescription } from '../local/network-description.ts';

export const LOCAL_NETWORK_SUBDIR = 'local-network';
const NETWORK_FILE = 'network.json';

export interface NetworkConnection {
  readonly chain: ChainClient;
  /** How start-up messages name the chain endpoint. */
  readonly label: string;
  /** Mints WAL to an address; only the local ledger has a faucet. */
  readonly faucet?: (address: SuiAddress, amount: bigint) => Promise<unknown>;
  /** Closes the chain client, and stops the network if this process started it. */
  readonly stop: () => Promise<void>;
}

export async function connectNetwork(config: GatewayConfig, out: (line: string) => void): Promise<NetworkConnection> {
  return config.sui === undefined ? connectLocal(config, out) : connectSui(config.sui, out);
}

function connectSui(network: ResolvedSuiNetwork, out: (line: string) => void): NetworkConnection {
  // Already resolved and validated by config.ts.
  const chain = new SuiChainClient({ network });
  out(`Sui ${network.network} via ${network.rpcUrl}: Walrus system object ${network.systemObjectId}, staking object ${network.stakingObjectId}`);
  return { chain, label: `the Sui full node at ${network.rpcUrl}`, stop: () => chain.close() };
}

/** On `--network local` without `--local-network-dir`, starts an embedded network in the data directory. */
async function connectLocal(config: GatewayConfig, out: (line: string) => void): Promise<NetworkConnection> {
  let ledgerUrl: string;
  let stopNetwork = async (): Promise<void> => {};
  if (config.localNetworkDir !== undefined) {
    const path = join(resolve(config.localNetworkDir), NETWORK_FILE);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`--local-network-dir: cannot read ${path}: ${error.code ?? error.message}`);
    });
    const description = JSON.parse(text) as NetworkDescription;
    out(`using the local network described in ${path} (ledger ${description.ledgerUrl})`);
    ledgerUrl = description.ledgerUrl;
  } else {
    const dataDir = resolve(config.dataDir, LOCAL_NETWORK_SUBDIR);
    // Its own process: the nodes' work runs beside the gateway's, as on separate machines.
    const network = await LocalNetworkProcess.start({ dataDir });
    const { description } = network;
    out(`embedded local Walrus network up (pid ${network.pid}): ${description.nodes.length} nodes, ${description.nShards} shards, epoch ${description.epoch} (${dataDir})`);
    out(`fault controls ${description.controlUrl}`);
    ledgerUrl = description.ledgerUrl;
    stopNetwork = () => network.stop();
  }
  const chain = new LocalChainClient({ ledgerUrl });
  return {
    chain,
    label: `the local network's ledger at ${ledgerUrl}`,
    faucet: (address, amount) => chain.requestFaucet(address, amount),
    stop: async () => {
      await chain.close();
      await stopNetwork();
    },
  };
}
