/**
 * Verified metadata and the nodes' view of a blob's lifecycle, cached and coalesced: what HEAD,
 * range planning and every full read start from (docs/protocol.md §2, §3.4).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { readCommitteeFor } from '../chain/chain-client.ts';
import { blobIdToString } from '../codec/blob-id.ts';
import { equalBytes } from '../codec/bytes.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import { decodeBlobMetadataWithId, verifyMetadata, type BlobMetadataWithId } from '../codec/metadata.ts';
import { BlobNotCertifiedError, BlobNotFoundError, BlobTooLargeError, BlobUnavailableError, ForbiddenBlobError } from '../errors/gateway-errors.ts';
import { fetchBlobStatus, isCertified, isRegisteredUncertified } from '../nodes/blob-status-quorum.ts';
import type { CommitteeView, ReadCommittee } from '../nodes/committee-view.ts';
import { fetchVerifiedMetadata } from '../nodes/metadata-quorum.ts';
import type { NodeBlobStatus } from '../nodes/node-responses.ts';
import { Coalescer } from '../nodes/coalescer.ts';
import type { ReadMetrics } from './read-metrics.ts';

/**
 * Metadata never change for a blob ID (the ID commits to them), but the lifecycle (end epoch,
 * deletion) does: entries are refreshed after this long.
 */
export const METADATA_TTL_MS = 60_000;
/** How long after a "registered, not certified" the nodes are asked again before the read is refused. */
export const UNCERTIFIED_RECHECK_MS = 1_000;

/** What a reader needs to serve a blob: its verified metadata and where it was read. */
export interface BlobInfo {
  readonly blobId: Uint8Array;
  readonly idText: string;
  readonly size: number;
  readonly withId: BlobMetadataWithId;
  readonly read: ReadCommittee;
  /** Lifecycle as nodes holding more than f shards report it; undefined when they did not agree. */
  readonly status: NodeBlobStatus | undefined;
}

export interface ReadLogger {
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface MetadataReaderOptions {
  readonly committees: CommitteeView;
  readonly kernel: CodecKernel;
  readonly maxEntries: number;
  readonly maxBlobSize?: number;
  /** Defaults to {@link UNCERTIFIED_RECHECK_MS}. */
  readonly uncertifiedRecheckMs?: number;
  readonly metrics?: ReadMetrics;
  readonly log?: ReadLogger;
}

export class MetadataReader {
  private readonly cache: LRUCache<string, BlobInfo>;
  private readonly inFlight = new Coalescer<BlobInfo>();

  constructor(private readonly options: MetadataReaderOptions) {
    this.cache = new LRUCache({
      max: options.maxEntries,
      ttl: METADATA_TTL_MS,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') options.metrics?.cacheEvictions.inc({ cache: 'metadata' });
      },
    });
  }

  /** Verified metadata of `blobId`; throws 404/451/503/403 errors of the HTTP registry. */
  async info(blobId: Uint8Array, signal: AbortSignal): Promise<BlobInfo> {
    const idText = blobIdToString(blobId);
    let info = this.cache.get(idText);
    if (info) this.options.metrics?.cacheHits.inc({ cache: 'metadata' });
    else {
      this.options.metrics?.cacheMisses.inc({ cache: 'metadata' });
      info = await this.inFlight.run(idText, signal, (shared) => this.fetch(blobId, idText, shared));
      this.cache.set(idText, info);
      this.options.metrics?.cacheEntries.set({ cache: 'metadata' }, this.cache.size);
    }
    const max = this.options.maxBlobSize;
    if (max !== undefined && info.size > max) throw new BlobTooLargeError(info.size, max);
    return info;
  }

  private async fetch(blobId: Uint8Array, idText: string, signal: AbortSignal): Promise<BlobInfo> {
    let read = await this.options.committees.get(signal).catch((error: unknown) => {
      throw new BlobUnavailableError('the storage committee cannot be read from the chain', error instanceof Error ? error.message : String(error), { cause: error });
    });
    // The lifecycle is asked for alongside the metadata, so it costs no extra round trip — except
    // during an epoch change, when it decides which committee holds the blob (§3.3).
    const started = performance.now();
    const stageDone = (stage: 'status' | 'metadata') => this.options.metrics?.stageSeconds.observe({ stage }, (performance.now() - started) / 1000);
    const vote = fetchBlobStatus(read, blobId, signal);
    // Settled below in every path; until then a rejection (the client left) must not go unhandled.
    vote.then(() => stageDone('status'), () => undefined);
    if (read.previous) {
      const certifiedEpoch = (await vote).status?.certifiedEpoch ?? null;
      if (readCommitteeFor({ committee: read.committee, previousCommitteeForReads: read.previous.committee }, certifiedEpoch) === read.previous.committee) {
        read = read.previous;
      }
    }
    const { params } = read;
    const { kernel, metrics, log } = this.options;
    const outcome = await fetchVerifiedMetadata(
      read,
      blobId,
      (bytes) => {
        const withId = decodeBlobMetadataWithId(bytes);
        if (!equalBytes(withId.blobId, blobId)) throw new Error('the metadata are for another blob ID');
        verifyMetadata(blobId, withId.metadata, params, kernel);
        return withId;
      },
      signal,
      {
        onRejected: (node, error) => {
          metrics?.rejectedAnswers.inc({ kind: 'metadata' });
          log?.warn({ node, blobId: idText, err: (error as Error).message }, 'rejected metadata from a storage node');
        },
      },
    );
    stageDone('metadata');
    if (outcome.kind === 'notFound') throw new BlobNotFoundError();
    if (outcome.kind === 'forbidden') throw new ForbiddenBlobError();
    if (outcome.kind === 'unavailable') {
      log?.warn({ blobId: idText, detail: outcome.detail }, 'no verifiable metadata');
      throw new BlobUnavailableError('no storage node served verifiable metadata', outcome.detail);
    }
    const status = await this.certifiedStatus(read, blobId, (await vote).status, signal);
    return { blobId, idText, size: outcome.value.metadata.unencodedLength, withId: outcome.value, read, status };
  }

  /**
   * Refuses a blob more than f shards say is not certified. A "registered" is asked once more after
   * a moment first: nodes learn of a certification a little after the chain, and a read right
   * after a store must not be refused for that.
   */
  private async certifiedStatus(read: ReadCommittee, blobId: Uint8Array, status: NodeBlobStatus | undefined, signal: AbortSignal): Promise<NodeBlobStatus | undefined> {
    let current = status;
    if (current && isRegisteredUncertified(current)) {
      await delay(this.options.uncertifiedRecheckMs ?? UNCERTIFIED_RECHECK_MS, undefined, { signal });
      current = (await fetchBlobStatus(read, blobId, signal)).status;
    }
    if (current === undefined || isCertified(current)) return current;
    throw new BlobNotCertifiedError(current.kind === 'nonexistent' ? 'expired, deleted or never registered' : current.kind === 'invalid' ? 'marked invalid' : 'registered');
  }
}
