/**
 * Hedged sliver retrieval (docs/protocol.md §3.4), of primary slivers (rows) or secondary ones
 * (columns, which quilt patches are read from): start the slivers needed plus a
 * margin, in the caller's order of preference; replace every failed or unverifiable sliver with
 * the next candidate; add a few more whenever progress stalls for the hedge delay; cancel every
 * outstanding request once enough verified slivers are in. Slivers are verified in batches as
 * they arrive, so a byzantine node costs one extra request and never reaches the decoder.
 */
import type { CommitteeMember } from '../chain/chain-client.ts';
import { pairIndexToShard, secondarySliverIndex } from '../codec/blob-id.ts';
import type { EncodingParams } from '../codec/params.ts';
import { decodeSliver, sliverBcsLength, type Sliver, type SliverType } from '../codec/sliver.ts';
import type { ReadCommittee } from './committee-view.ts';
import { FanOut } from './fan-out.ts';
import { describeOutcome, quoteFailures } from './node-outcome.ts';

/** Extra requests started up front and per hedge, as a share of the slivers needed. */
const MARGIN_SHARE = 0.1;
const MIN_MARGIN = 1;
/** Slivers verified together at most, and the longest a partial batch waits for more. */
const VERIFY_BATCH = 32;
const VERIFY_WAIT_MS = 2;

export interface SliverCandidate {
  /** Pair index; for a primary sliver this is also the sliver index, a secondary one's is n − 1 − pair. */
  readonly pairIndex: number;
  readonly member: CommitteeMember;
}

export interface SliverFetchRequest {
  readonly read: ReadCommittee;
  readonly blobId: Uint8Array;
  /** Primary unless said otherwise. */
  readonly type?: SliverType;
  /** In order of preference. */
  readonly candidates: readonly SliverCandidate[];
  readonly needed: number;
  /** The BCS length of one sliver of this type and blob: a node sending more is cut off. */
  readonly maxSliverBytes: number;
  /** Verifies a batch; `null` for each authentic sliver, the reason otherwise. */
  readonly verify: (slivers: readonly Sliver[]) => readonly (Error | null)[];
  readonly hedgeDelayMs: number;
  /** Extra requests beyond `needed`; defaults to 10 % of `needed`. */
  readonly margin?: number;
  /**
   * Give up (`unavailable`) when no sliver verified for this long and no candidate is left to
   * add, instead of waiting for the slow requests: for callers with a better fallback (a byte
   * range falls back to a full read, which can ask any node), so that one node dripping its
   * answer does not hold the read for the node timeout.
   */
  readonly stallLimitMs?: number;
  /**
   * What to keep of each verified sliver; the rest is dropped at once. A caller that needs a few
   * symbols of many slivers (a streamed read rebuilding some rows from columns) holds only those.
   */
  readonly keep?: (sliver: Sliver) => Sliver;
  readonly signal: AbortSignal;
  readonly onRejected?: (node: string, error: unknown) => void;
}

export type SliverFetchOutcome =
  | { readonly kind: 'complete'; readonly slivers: Sliver[] }
  | { readonly kind: 'unavailable'; readonly verified: number; readonly detail: string };

/** The BCS length of a sliver of `type` with `symbolSize`-byte symbols. */
export function sliverBcsLengthOf(params: EncodingParams, type: SliverType, symbolSize: number): number {
  return sliverBcsLength(type === 'primary' ? params.primarySliverSize(symbolSize) : params.secondarySliverSize(symbolSize));
}

/** Pair `pairIndex` of `blobId` with the committee member whose shard holds it (docs/protocol.md §3.1). */
export function candidateForPair(read: ReadCommittee, blobId: Uint8Array, pairIndex: number): SliverCandidate {
  const { committee } = read;
  return { pairIndex, member: committee.memberByShard[pairIndexToShard(pairIndex, blobId, committee.nShards)] };
}

/** Column `column`'s secondary sliver: pair n − 1 − column holds it (the mapping is its own inverse). */
export function candidateForColumn(read: ReadCommittee, blobId: Uint8Array, column: number): SliverCandidate {
  return candidateForPair(read, blobId, secondarySliverIndex(column, read.params.n));
}

export function defaultMargin(needed: number): number {
  return Math.max(MIN_MARGIN, Math.ceil(needed * MARGIN_SHARE));
}

export function fetchVerifiedSlivers(request: SliverFetchRequest): Promise<SliverFetchOutcome> {
  const { read, blobId, candidates, needed } = request;
  const type = request.type ?? 'primary';
  const sliverIndexOf = (pairIndex: number) => (type === 'primary' ? pairIndex : secondarySliverIndex(pairIndex, read.params.n));
  const margin = request.margin ?? defaultMargin(needed);
  const fan = new FanOut<SliverFetchOutcome>({ signal: request.signal });
  const verified = new Map<number, Sliver>();
  const pending: { sliver: Sliver; member: CommitteeMember }[] = [];
  const failures: string[] = [];
  let next = 0;
  /** Whether a verification pass is due: not at all, after a short wait, or after this turn. */
  let verifyDue: 'no' | 'soon' | 'now' = 'no';

  const launchMore = (count: number) => {
    let launched = 0;
    while (launched < count && next < candidates.length) {
      const candidate = candidates[next++];
      // Nodes that were down or byzantine once are not asked again for this blob.
      if (!fan.trusts(candidate.member)) continue;
      launch(candidate);
      launched++;
    }
  };
  const checkDone = () => {
    if (verified.size >= needed) return fan.finish({ kind: 'complete', slivers: [...verified.values()] });
    if (fan.inFlight > 0) return;
    // Nothing more on its way: a batch still waiting for company is verified now.
    if (pending.length > 0) return scheduleVerify();
    if (verifyDue !== 'no') return;
    launchMore(needed - verified.size);
    if (fan.inFlight === 0) {
      fan.finish({ kind: 'unavailable', verified: verified.size, detail: `${verified.size} of ${needed} slivers verified (${quoteFailures(failures)})` });
    }
  };
  const rejectSliver = (member: CommitteeMember, reason: string, error: unknown) => {
    fan.distrust(member);
    failures.push(`${member.name}: ${reason}`);
    request.onRejected?.(member.name, error);
    launchMore(1);
  };
  const verifyPending = () => {
    verifyDue = 'no';
    if (fan.isSettled) return;
    const batch = pending.splice(0, pending.length).filter(({ sliver }) => !verified.has(sliver.index));
    const results = request.verify(batch.map(({ sliver }) => sliver));
    batch.forEach(({ sliver, member }, i) => {
      const error = results[i];
      if (error) rejectSliver(member, error.message, error);
      else verified.set(sliver.index, request.keep ? request.keep(sliver) : sliver);
    });
    rearmHedge();
    checkDone();
  };
  /**
   * Slivers are verified in batches: one hashing pass for many is cheaper per sliver, and a pass
   * for one or two (what a turn of the event loop brings) mostly pays for waking the kernel's
   * threads. A batch waits for more until it is full, could complete the read, or nothing else
   * is on its way — or at most {@link VERIFY_WAIT_MS}.
   */
  const scheduleVerify = () => {
    const now = pending.length >= VERIFY_BATCH || verified.size + pending.length >= needed || fan.inFlight === 0;
    if (now && verifyDue !== 'now') {
      verifyDue = 'now';
      fan.schedule('verify', 0, verifyPending);
    } else if (verifyDue === 'no') {
      verifyDue = 'soon';
      fan.schedule('verify', VERIFY_WAIT_MS, verifyPending);
    }
  };
  const launch = ({ pairIndex, member }: SliverCandidate) => {
    fan.launch(member, (signal) => read.clients[member.index].getSliver(blobId, pairIndex, type, request.maxSliverBytes, signal), (outcome) => {
      if (outcome.kind === 'ok') {
        let sliver: Sliver;
        try {
          sliver = decodeSliver(outcome.value, type);
        } catch (error) {
          return rejectSliver(member, error instanceof Error ? error.message : String(error), error);
        }
        const expected = sliverIndexOf(pairIndex);
        if (sliver.index !== expected) return rejectSliver(member, `asked for ${type} sliver ${expected}, got ${sliver.index}`, undefined);
        pending.push({ sliver, member });
        scheduleVerify();
        return;
      }
      if (outcome.kind === 'aborted') return;
      // A faulty node is distrusted by the fan-out; one that lacks one sliver may have others.
      failures.push(describeOutcome(member.name, outcome));
      launchMore(1);
    });
  };
  const rearmHedge = () => {
    const { stallLimitMs } = request;
    if (stallLimitMs !== undefined) {
      fan.schedule('stall', stallLimitMs, () => {
        if (next >= candidates.length) fan.finish({ kind: 'unavailable', verified: verified.size, detail: `stalled with ${verified.size} of ${needed} slivers verified` });
      });
    }
    if (next >= candidates.length) return fan.cancel('hedge');
    // Progress stalled: some requests are slow. Add a few more rather than wait for them.
    fan.schedule('hedge', request.hedgeDelayMs, () => {
      launchMore(margin);
      rearmHedge();
    });
  };
  fan.onIdle = checkDone;
  launchMore(needed + margin);
  rearmHedge();
  if (fan.inFlight === 0) checkDone();
  return fan.result;
}
