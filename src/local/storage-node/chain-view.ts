import type { FastifyBaseLogger } from 'fastify';
import type { NetworkDescription } from '../network-description.ts';
import type { LedgerBlobState, LedgerClient } from './ledger-client.ts';

/** What a node needs from the network description: shard count, epoch and its own shards. */
export interface NodeChainState {
  readonly nShards: number;
  readonly epoch: number;
  readonly ownedShards: ReadonlySet<number>;
  readonly network: NetworkDescription;
}

export interface ChainViewOptions {
  readonly ledger: LedgerClient;
  readonly nodeId: string;
  /** How often the network description is re-read. */
  readonly refreshIntervalMs: number;
  /** How long a blob's ledger state may be reused before it is read again. */
  readonly blobStateTtlMs: number;
  readonly logger: FastifyBaseLogger;
}

interface InFlight<T> {
  readonly startedAt: number;
  readonly promise: Promise<T>;
}

interface CachedBlobState {
  readonly fetchedAt: number;
  readonly state: LedgerBlobState;
}

/**
 * A node's view of the ledger: the network description, refreshed on a timer and on demand, and
 * per-blob states behind a very short cache. A caller that must not act on a stale "no" (is this
 * blob registered?) passes `accept`: a cached answer it does not accept is re-read, and the re-read
 * never joins a request that started before the caller asked.
 */
export class ChainView {
  private current: NodeChainState | undefined;
  private networkRequest: InFlight<NodeChainState> | undefined;
  private readonly blobRequests = new Map<string, InFlight<LedgerBlobState>>();
  private readonly blobStates = new Map<string, CachedBlobState>();
  private readonly epochListeners: ((epoch: number) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChainViewOptions) {}

  /** Reads the network once (failing if the ledger is unreachable), then keeps it fresh. */
  async start(): Promise<void> {
    await this.refreshNetwork();
    this.timer = setInterval(() => {
      this.refreshNetwork().catch((error: unknown) => this.options.logger.warn({ err: error }, 'network refresh failed'));
      this.dropExpiredBlobStates();
    }, this.options.refreshIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.options.ledger.close();
  }

  /** The last network state read; `start()` guarantees there is one. */
  get state(): NodeChainState {
    if (!this.current) throw new Error('the chain view has not been started');
    return this.current;
  }

  onEpochChange(listener: (epoch: number) => void): void {
    this.epochListeners.push(listener);
  }

  /** Re-reads the network description, sharing a read that started after this call was made. */
  refreshNetwork(): Promise<NodeChainState> {
    const askedAt = performance.now();
    if (this.networkRequest && this.networkRequest.startedAt >= askedAt) return this.networkRequest.promise;
    const promise = this.options.ledger.network().then((network) => this.applyNetwork(network));
    const request = { startedAt: askedAt, promise };
    this.networkRequest = request;
    const clear = () => {
      if (this.networkRequest === request) this.networkRequest = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * A blob's ledger state. A cached state younger than the TTL is returned when `accept` (default:
   * any) accepts it; otherwise the ledger is asked again.
   */
  async blobState(blobIdText: string, accept: (state: LedgerBlobState) => boolean = () => true): Promise<LedgerBlobState> {
    const askedAt = performance.now();
    const cached = this.blobStates.get(blobIdText);
    if (cached && askedAt - cached.fetchedAt < this.options.blobStateTtlMs && accept(cached.state)) return cached.state;
    // Join a read already under way (bursts of sliver uploads share one); if it started before
    // this call and its answer is not accepted, it may predate a registration: read again.
    const inFlight = this.blobRequests.get(blobIdText);
    if (inFlight) {
      const state = await inFlight.promise;
      if (accept(state) || inFlight.startedAt >= askedAt) return state;
    }
    return this.fetchBlobState(blobIdText, askedAt);
  }

  /** A blob's ledger state read after this call was made, never from the cache. */
  freshBlobState(blobIdText: string): Promise<LedgerBlobState> {
    return this.fetchBlobState(blobIdText, performance.now());
  }

  private fetchBlobState(blobIdText: string, askedAt: number): Promise<LedgerBlobState> {
    const inFlight = this.blobRequests.get(blobIdText);
    if (inFlight && inFlight.startedAt >= askedAt) return inFlight.promise;
    const startedAt = performance.now();
    const promise = this.options.ledger.blobState(blobIdText).then((state) => {
      this.blobStates.set(blobIdText, { fetchedAt: startedAt, state });
      return state;
    });
    const request = { startedAt, promise };
    this.blobRequests.set(blobIdText, request);
    const clear = () => {
      if (this.blobRequests.get(blobIdText) === request) this.blobRequests.delete(blobIdText);
    };
    promise.then(clear, clear);
    return promise;
  }

  private applyNetwork(network: NetworkDescription): NodeChainState {
    const nodeId = this.options.nodeId.toLowerCase();
    const self = network.nodes.find((node) => node.nodeId.toLowerCase() === nodeId);
    const previousEpoch = this.current?.epoch;
    this.current = { nShards: network.nShards, epoch: network.epoch, ownedShards: new Set(self?.shards ?? []), network };
    if (previousEpoch !== undefined && previousEpoch !== network.epoch) {
      // Registrations expire with the epoch: nothing cached from the old epoch may be trusted.
      this.blobStates.clear();
      for (const listener of this.epochListeners) listener(network.epoch);
    }
    return this.current;
  }

  private dropExpiredBlobStates(): void {
    const now = performance.now();
    for (const [blobId, cached] of this.blobStates) {
      if (now - cached.fetchedAt >= this.options.blobStateTtlMs) this.blobStates.delete(blobId);
    }
  }
}
