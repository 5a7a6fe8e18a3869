/**
 * Fetching one blob's slivers for a read: the hedged, verified fan-out of nodes/sliver-fetch.ts
 * with what every read of a blob shares filled in once — its committee, the longest sliver a node
 * may send, verification against the blob's metadata, and who hears of a rejected sliver. Reads
 * differ only in which slivers they want, how many, and whether they have a fallback.
 */
import type { Sliver, SliverType } from '../codec/sliver.ts';
import type { CodecKernel } from '../codec/kernel/kernel.ts';
import { verifySlivers } from '../codec/verify-sliver.ts';
import { fetchVerifiedSlivers, sliverBcsLengthOf, type SliverCandidate, type SliverFetchOutcome } from '../nodes/sliver-fetch.ts';
import type { BlobInfo } from './metadata-reader.ts';
import { stallLimitMs } from './stall-limit.ts';

export interface BlobSliverWant {
  readonly type: SliverType;
  /** In order of preference. */
  readonly candidates: readonly SliverCandidate[];
  readonly needed: number;
  /**
   * Only these candidates' nodes can help (a range's rows, a patch's columns): no extra requests,
   * and give up once they stall, for the caller's fallback to take over.
   */
  readonly ownNodesOnly?: boolean;
  /** Give up once progress stalls even with candidates left (the caller has a fallback). */
  readonly giveUpOnStall?: boolean;
  /** What to keep of each verified sliver (sliver-fetch.ts). */
  readonly keep?: (sliver: Sliver) => Sliver;
}

export type BlobSliverFetch = (info: BlobInfo, want: BlobSliverWant, signal: AbortSignal) => Promise<SliverFetchOutcome>;

export interface BlobSliverFetchOptions {
  readonly kernel: CodecKernel;
  readonly hedgeDelayMs: number;
  /** A sliver that failed verification: counted and logged by the reader. */
  readonly onRejected: (info: BlobInfo, node: string, error: unknown) => void;
}

export function blobSliverFetch({ kernel, hedgeDelayMs, onRejected }: BlobSliverFetchOptions): BlobSliverFetch {
  return (info, want, signal) => {
    const { params } = info.read;
    const ss = params.symbolSize(info.size);
    const sliverBytes = want.type === 'primary' ? params.primarySliverSize(ss) : params.secondarySliverSize(ss);
    const stalls = want.ownNodesOnly === true || want.giveUpOnStall === true;
    return fetchVerifiedSlivers({
      read: info.read,
      blobId: info.blobId,
      type: want.type,
      candidates: want.candidates,
      needed: want.needed,
      maxSliverBytes: sliverBcsLengthOf(params, want.type, ss),
      ...(want.ownNodesOnly ? { margin: 0 } : {}),
      ...(stalls ? { stallLimitMs: stallLimitMs(hedgeDelayMs, sliverBytes) } : {}),
      verify: (slivers) => verifySlivers(slivers, info.withId.metadata, params, kernel),
      keep: want.keep,
      hedgeDelayMs,
      signal,
      onRejected: (node, error) => onRejected(info, node, error),
    });
  };
}
