import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { selectKernel } from '../../codec/kernel/select-kernel.ts';
import type { BatchedSliverVerifier } from './batched-sliver-verifier.ts';
import { ChainView } from './chain-view.ts';
import { ConfirmationSigner } from './confirmation-signer.ts';
import { DiskBlobStore } from './disk-blob-store.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { LedgerClient } from './ledger-client.ts';
import type { NodeTls } from './node-certificate.ts';
import { mergeFaults, NO_FAULTS, type NodeFaults } from './node-faults.ts';
import { silentLogger } from './silent-logger.ts';
import { buildStorageNodeApp } from './storage-node-app.ts';
import { StorageNodeService } from './storage-node-service.ts';

export type { NodeFaults } from './node-faults.ts';

export interface StorageNodeServerOptions {
  /** The node's ID in the ledger's network description (`0x` + 64 hex digits). */
  readonly nodeId: string;
  readonly name: string;
  /** Blobs, and the port chosen on first start, live here. */
  readonly dataDir: string;
  /** BLS12-381 min_pk secret key (32 bytes) that signs confirmations. */
  readonly blsSecretKey: Uint8Array;
  readonly ledgerUrl: string;
  readonly host: string;
  /** 0 picks a free port on first start and keeps it in `dataDir`, so restarts keep the URL. */
  readonly port: number;
  readonly logger?: FastifyBaseLogger;
  /** How often the network description is re-read. */
  readonly networkRefreshMs?: number;
  /** How long a blob's ledger state may be reused (a "not registered" is always re-read). */
  readonly blobStateTtlMs?: number;
  readonly ledgerTimeoutMs?: number;
  /** How often data of unregistered blobs is swept (it is also swept after each epoch change). */
  readonly garbageCollectionIntervalMs?: number;
  /** Verifies slivers; nodes of one process share one for larger batches. A verifier of its own by default. */
  readonly sliverVerifier?: BatchedSliverVerifier;
  /** Serve TLS with this key and certificate (the URL becomes `https`); plain HTTP when absent. */
  readonly tls?: NodeTls;
}

const DEFAULT_NETWORK_REFRESH_MS = 1_000;
const DEFAULT_BLOB_STATE_TTL_MS = 250;
const DEFAULT_LEDGER_TIMEOUT_MS = 5_000;
const DEFAULT_GC_INTERVAL_MS = 5_000;
const PORT_FILE = 'listen-port';
const RANDOM_PORT = 0;

interface Running {
  readonly app: FastifyInstance;
  readonly chain: ChainView;
  readonly collector: GarbageCollector;
}

/**
 * One storage node of the local network: the REST API on loopback, backed by a disk store under
 * `dataDir` and the ledger's view of the chain. `stop()` then `start()` is an outage and a recovery:
 * the data and the URL survive.
 */
export class StorageNodeServer {
  private readonly options: StorageNodeServerOptions;
  private readonly logger: FastifyBaseLogger;
  private readonly signer: ConfirmationSigner;
  private readonly store: DiskBlobStore;
  private port: number;
  /** The port recorded in the data directory, or RANDOM_PORT when none is. */
  private keptPort: number;
  private live: Running | undefined;
  private currentFaults: NodeFaults = NO_FAULTS;

  constructor(options: StorageNodeServerOptions) {
    this.options = options;
    this.logger = (options.logger ?? silentLogger).child({ component: 'storage-node', node: options.name });
    this.signer = new ConfirmationSigner(options.blsSecretKey);
    this.store = new DiskBlobStore(options.dataDir);
    this.keptPort = readKeptPort(options.dataDir);
    this.port = options.port !== RANDOM_PORT ? options.port : this.keptPort;
  }

  /** `http(s)://host:port`; known before the first start when a port was given or kept from a previous run. */
  get url(): string {
    if (this.port === RANDOM_PORT) throw new Error(`storage node ${this.options.name} has no port until it first starts`);
    return `${this.options.tls ? 'https' : 'http'}://${this.options.host}:${this.port}`;
  }

  get name(): string {
    return this.options.name;
  }

  get running(): boolean {
    return this.live !== undefined;
  }

  /** Compressed BLS public key (48 bytes). */
  get publicKey(): Uint8Array {
    return this.signer.publicKey;
  }

  get faults(): NodeFaults {
    return this.currentFaults;
  }

  setFaults(faults: Partial<NodeFaults>): void {
    this.currentFaults = mergeFaults(this.currentFaults, faults);
  }

  /** Opens the store, reads the network from the ledger (which must be up) and listens. */
  async start(): Promise<void> {
    if (this.live) throw new Error(`storage node ${this.options.name} is already running`);
    const { options, logger } = this;
    await this.store.open();
    const ledger = new LedgerClient({ ledgerUrl: options.ledgerUrl, timeoutMs: options.ledgerTimeoutMs ?? DEFAULT_LEDGER_TIMEOUT_MS });
    const chain = new ChainView({
      ledger,
      nodeId: options.nodeId,
      refreshIntervalMs: options.networkRefreshMs ?? DEFAULT_NETWORK_REFRESH_MS,
      blobStateTtlMs: options.blobStateTtlMs ?? DEFAULT_BLOB_STATE_TTL_MS,
      logger,
    });
    try {
      await chain.start();
    } catch (error) {
      await chain.stop();
      throw error;
    }
    const faults = () => this.currentFaults;
    const service = new StorageNodeService({ chain, store: this.store, signer: this.signer, kernel: selectKernel(), faults, verifier: options.sliverVerifier });
    const app = buildStorageNodeApp({ service, chain, publicKey: this.signer.publicKey, faults, logger: options.logger ? logger : undefined, tls: options.tls });
    const collector = new GarbageCollector({
      chain,
      store: this.store,
      deleteBlob: (blobId) => service.deleteBlob(blobId),
      intervalMs: options.garbageCollectionIntervalMs ?? DEFAULT_GC_INTERVAL_MS,
      logger,
    });
    try {
      await app.listen({ host: options.host, port: this.port });
      const chosenPort = (app.server.address() as AddressInfo).port;
      if (chosenPort !== this.keptPort) await keepPort(options.dataDir, chosenPort);
      this.port = chosenPort;
      this.keptPort = chosenPort;
    } catch (error) {
      await app.close();
      await chain.stop();
      throw error;
    }
    collector.start();
    this.live = { app, chain, collector };
    logger.info({ url: this.url }, 'storage node started');
  }

  /** Closes the listener (cutting open connections) and stops background work; data stays. */
  async stop(): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.live = undefined;
    await live.app.close();
    await live.collector.stop();
    await live.chain.stop();
    await this.store.close();
    this.logger.info('storage node stopped');
  }

  /** Sweeps now: deletes the data of every stored blob without a live registration; returns their IDs. */
  collectGarbage(): Promise<string[]> {
    if (!this.live) throw new Error(`storage node ${this.options.name} is not running`);
    return this.live.collector.sweep();
  }
}

function readKeptPort(dataDir: string): number {
  try {
    const port = Number(readFileSync(join(dataDir, PORT_FILE), 'utf8').trim());
    return Number.isInteger(port) && port > 0 ? port : RANDOM_PORT;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return RANDOM_PORT;
    throw error;
  }
}

async function keepPort(dataDir: string, port: number): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const temporary = join(dataDir, `${PORT_FILE}.tmp`);
  await writeFile(temporary, `${port}\n`);
  await rename(temporary, join(dataDir, PORT_FILE));
}
