import { createPublicKey } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectKernel } from '../codec/kernel/select-kernel.ts';
import { blsKeyPairFromSecret } from '../crypto/bls.ts';
import { LedgerServer } from './ledger/ledger-server.ts';
import type { NetworkDescription } from './network-description.ts';
import { loadOrCreateIdentity, withTlsKeys, type NetworkIdentity } from './network-identity.ts';
import { compressedP256Key, nodeTlsFromKey, type NodeTls } from './storage-node/node-certificate.ts';
import { assignShards } from './shard-assignment.ts';
import { BatchedSliverVerifier } from './storage-node/batched-sliver-verifier.ts';
import { StorageNodeServer, type NodeFaults } from './storage-node/storage-node-server.ts';
import { ControlServer } from './control-server.ts';

export interface LocalNetworkOptions {
  readonly dataDir: string;
  /** Used only when the data directory holds no network yet. */
  readonly nodes?: number;
  /** Used only when the data directory holds no network yet. */
  readonly shards?: number;
  readonly host?: string;
  readonly epochDurationMs?: number;
  /** Prices in FROST per storage unit (1 MiB of encoded length): per epoch, and once per write. */
  readonly storagePricePerUnitSize?: bigint;
  readonly writePricePerUnitSize?: bigint;
  /**
   * Nodes serve TLS (HTTP/1.1) with a self-signed certificate for a secp256r1 key, and the ledger
   * publishes `https` URLs and those keys, so clients pin connections as on testnet and mainnet.
   */
  readonly tls?: boolean;
}

export const DEFAULT_NODES = 10;
export const DEFAULT_SHARDS = 1000;
const DEFAULT_HOST = '127.0.0.1';
/** A day, as on testnet. */
const DEFAULT_EPOCH_DURATION_MS = 24 * 60 * 60 * 1000;
/** Mainnet-like prices: 100,000 FROST per MiB-epoch of storage, 20,000 per MiB written. */
const DEFAULT_STORAGE_PRICE = 100_000n;
const DEFAULT_WRITE_PRICE = 20_000n;
const NETWORK_FILE = 'network.json';

/** What `DIR/network.json` holds: the network description plus where to steer it from. */
export interface LocalNetworkDescription extends NetworkDescription {
  /** Fault controls for tests (loopback only): see README, "Local network". */
  readonly controlUrl: string;
}

/**
 * An embedded Walrus network on loopback: one ledger (Sui's role) and storage nodes speaking the
 * real storage-node API. The same data directory brings back the same network, keys and data.
 */
export class LocalNetwork {
  private constructor(
    readonly dataDir: string,
    readonly identity: NetworkIdentity,
    readonly ledger: LedgerServer,
    readonly nodes: readonly StorageNodeServer[],
    private readonly control: ControlServer,
  ) {}

  static async start(options: LocalNetworkOptions): Promise<LocalNetwork> {
    const host = options.host ?? DEFAULT_HOST;
    const epochDurationMs = options.epochDurationMs ?? DEFAULT_EPOCH_DURATION_MS;
    const created = await loadOrCreateIdentity(
      options.dataDir,
      options.shards ?? DEFAULT_SHARDS,
      options.nodes ?? DEFAULT_NODES,
      host,
    );
    const identity = options.tls ? await withTlsKeys(options.dataDir, created) : created;
    const tls: (NodeTls | undefined)[] = identity.nodes.map((node) => (options.tls ? nodeTlsFromKey(node.tlsPrivateKey!) : undefined));
    const url = (port: number) => `${options.tls ? 'https' : 'http'}://${host}:${port}`;
    const shards = assignShards(identity.nShards, identity.nodes.length);
    const ledger = new LedgerServer({
      dataDir: join(options.dataDir, 'ledger'),
      host,
      port: identity.ledgerPort,
      epochDurationMs,
      genesis: {
        nShards: identity.nShards,
        nodes: identity.nodes.map((node, i) => ({
          nodeId: node.nodeId,
          name: node.name,
          url: url(node.port),
          blsPublicKey: Buffer.from(blsKeyPairFromSecret(Buffer.from(node.blsSecretKey, 'hex')).publicKey).toString('base64'),
          ...(tls[i] ? { networkPublicKey: Buffer.from(compressedP256Key(createPublicKey(tls[i].key))).toString('base64') } : {}),
          shards: shards[i],
        })),
        storagePricePerUnitSize: options.storagePricePerUnitSize ?? DEFAULT_STORAGE_PRICE,
        writePricePerUnitSize: options.writePricePerUnitSize ?? DEFAULT_WRITE_PRICE,
        epochDurationMs,
      },
    });
    await ledger.start();
    // One verifier for all nodes: a batch then holds every node's slivers of a blob that arrived together.
    const sliverVerifier = new BatchedSliverVerifier(selectKernel());
    const nodes = identity.nodes.map(
      (node, i) =>
        new StorageNodeServer({
          nodeId: node.nodeId,
          name: node.name,
          dataDir: join(options.dataDir, 'nodes', node.name),
          blsSecretKey: Buffer.from(node.blsSecretKey, 'hex'),
          ledgerUrl: ledger.url,
          host,
          port: node.port,
          sliverVerifier,
          tls: tls[i],
        }),
    );
    await Promise.all(nodes.map((node) => node.start()));
    const control = new ControlServer({ host, port: identity.controlPort, nodes });
    await control.start();
    const network = new LocalNetwork(options.dataDir, identity, ledger, nodes, control);
    await network.writeDescription();
    return network;
  }

  /** The network as clients see it, including the current epoch and committee. */
  async description(): Promise<LocalNetworkDescription> {
    const response = await fetch(`${this.ledger.url}/v1/network`);
    if (!response.ok) throw new Error(`ledger answered ${response.status} for /v1/network`);
    const network = (await response.json()) as NetworkDescription;
    return { ...network, controlUrl: this.control.url };
  }

  private async writeDescription(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    const path = join(this.dataDir, NETWORK_FILE);
    await writeFile(path + '.tmp', JSON.stringify(await this.description(), null, 2) + '\n');
    await rename(path + '.tmp', path);
  }

  node(name: string): StorageNodeServer {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (!node) throw new RangeError(`no node named ${name}`);
    return node;
  }

  setFaults(name: string, faults: Partial<NodeFaults>): void {
    this.node(name).setFaults(faults);
  }

  async stop(): Promise<void> {
    await this.control.stop();
    await Promise.all(this.nodes.map((node) => node.stop()));
    await this.ledger.stop();
  }
}
