/**
 * The read committee with one {@link StorageNodeClient} per member, refreshed from the chain on a
 * short interval. Clients are keyed by URL and TLS key and survive refreshes, so their connection
 * pools are reused across epochs (docs/protocol.md §3.2–§3.3).
 */
import type { ChainClient, Committee, CommitteeMember } from '../chain/chain-client.ts';
import { EncodingParams } from '../codec/params.ts';
import { Coalescer } from './coalescer.ts';
import type { RequestCounter } from './node-outcome.ts';
import { StorageNodeClient } from './storage-node-client.ts';

/** For callers that cannot leave (start-up, background work). */
const NEVER = new AbortController().signal;
const COMMITTEE_KEY = 'committee';

/** The reference's client refreshes its committee every 5–30 s (`refresh_config`). */
export const DEFAULT_COMMITTEE_REFRESH_MS = 5_000;

export interface ReadCommittee {
  readonly epoch: number;
  readonly committee: Committee;
  readonly params: EncodingParams;
  /** `clients[member.index]`. */
  readonly clients: readonly StorageNodeClient[];
  /** During an epoch change: the previous committee, which still serves older blobs (see {@link readCommitteeFor}). */
  readonly previous?: ReadCommittee;
}

export interface CommitteeViewOptions {
  readonly chain: ChainClient;
  readonly nodeTimeoutMs: number;
  readonly refreshMs?: number;
  readonly countRequest?: RequestCounter;
}

export class CommitteeView {
  private current: { readonly at: number; readonly value: ReadCommittee } | undefined;
  /** One load at a time, shared by every reader waiting for it, cancelled only when all of them left. */
  private readonly loads = new Coalescer<ReadCommittee>();
  private readonly clientsByUrl = new Map<string, StorageNodeClient>();

  constructor(private readonly options: CommitteeViewOptions) {}

  /** The committee to read from, at most `refreshMs` old. Failures are not cached. */
  async get(signal: AbortSignal = NEVER): Promise<ReadCommittee> {
    const current = this.current;
    if (current && Date.now() - current.at < (this.options.refreshMs ?? DEFAULT_COMMITTEE_REFRESH_MS)) return current.value;
    return this.loads.run(COMMITTEE_KEY, signal, async (shared) => {
      const at = Date.now();
      const value = await this.load(shared);
      this.current = { at, value };
      return value;
    });
  }

  private async load(signal: AbortSignal): Promise<ReadCommittee> {
    const { committee, previousCommitteeForReads } = await this.options.chain.getSystemState({ signal });
    const previous = previousCommitteeForReads === undefined ? undefined : this.withClients(previousCommitteeForReads);
    return { ...this.withClients(committee), ...(previous ? { previous } : {}) };
  }

  private withClients(committee: Committee): ReadCommittee {
    return {
      epoch: committee.epoch,
      committee,
      params: EncodingParams.forShards(committee.nShards),
      clients: committee.members.map((member) => this.client(member)),
    };
  }

  private client(member: CommitteeMember): StorageNodeClient {
    // A node that rotates its TLS key keeps its URL; its old pool is pinned to the old key.
    const key = member.networkPublicKey === undefined ? member.url : `${member.url} ${Buffer.from(member.networkPublicKey).toString('hex')}`;
    let client = this.clientsByUrl.get(key);
    if (!client) {
      const { name, url, networkPublicKey } = member;
      client = new StorageNodeClient({ name, url, networkPublicKey, timeoutMs: this.options.nodeTimeoutMs }, this.options.countRequest);
      this.clientsByUrl.set(key, client);
    }
    return client;
  }

  /** Closes every pool; `force` cuts in-flight requests instead of waiting for them. */
  async close(force = false): Promise<void> {
    await Promise.all([...this.clientsByUrl.values()].map((client) => (force ? client.destroy() : client.close())));
    this.clientsByUrl.clear();
  }
}

/** Byzantine faults the committee tolerates, by shard weight: f = ⌊(n−1)/3⌋. */
export function faultyWeight(committee: Committee): number {
  return Math.floor((committee.nShards - 1) / 3);
}

/** The Rust client's `is_quorum`: weight > 2f. */
export function isQuorum(weight: number, committee: Committee): boolean {
  return weight > 2 * faultyWeight(committee);
}

/** The on-chain quorum `certify_blob` checks (docs/protocol.md §4.6, §7.7): 3w ≥ 2n+1 by shard weight. */
export function isCertificateQuorum(weight: number, committee: Committee): boolean {
  return weight >= certificateQuorumWeight(committee);
}

/** The least shard weight that makes a certificate quorum: ⌈(2n+1)/3⌉. */
export function certificateQuorumWeight(committee: Committee): number {
  return Math.ceil((2 * committee.nShards + 1) / 3);
}

/** At least one honest node: weight > f. */
export function isValidity(weight: number, committee: Committee): boolean {
  return weight > faultyWeight(committee);
}
