/**
 * Hedged primary-sliver retrieval (walrus-protocol.md §3.4): start the slivers needed plus a
 * margin, in the caller's order of preference; replace every failed or unverifiable sliver with
 * the next candidate; add a few more whenever progress stalls for the hedge delay; cancel every
 * outstanding request once enough verified slivers are in. Slivers are verified in batches as
 * they arrive, so a byzantine node costs one extra request and never reaches the decoder.
 */
import type { CommitteeMember } from '../chain/chain-client.ts';
import { decodeSliver, type Sliver } from '../codec/sliver.ts';
import type { ReadCommittee } from './committee-view.ts';
import { NodeRequestError, sharedByRequests } from './storage-node-client.ts';

/** Extra requests started up front and per hedge, as a share of the slivers needed. */
const MARGIN_SHARE = 0.1;
const MIN_MARGIN = 1;

export interface SliverCandidate {
  /** Pair index; for a primary sliver this is also the sliver index. */
  readonly pairIndex: number;
  readonly member: CommitteeMember;
}

export interface SliverFetchRequest {
  readonly read: ReadCommittee;
  readonly blobId: Uint8Array;
  /** In order of preference. */
  readonly candidates: readonly SliverCandidate[];
  readonly needed: number;
  /** Verifies a batch; `null` for each authentic sliver, the reason otherwise. */
  readonly verify: (slivers: readonly Sliver[]) => readonly (Error | null)[];
  readonly hedgeDelayMs: number;
  /** Extra requests beyond `needed`; defaults to 10 % of `needed`. */
  readonly margin?: number;
  readonly signal: AbortSignal;
  readonly onRejected?: (node: string, error: unknown) => void;
}

export type SliverFetchOutcome =
  | { readonly kind: 'complete'; readonly slivers: Sliver[] }
  | { readonly kind: 'unavailable'; readonly verified: number; readonly detail: string };

export function defaultMargin(needed: number): number {
  return Math.max(MIN_MARGIN, Math.ceil(needed * MARGIN_SHARE));
}

export function fetchVerifiedSlivers(request: SliverFetchRequest): Promise<SliverFetchOutcome> {
  const { read, blobId, candidates, needed, signal } = request;
  const margin = request.margin ?? defaultMargin(needed);
  const cancel = new AbortController();
  const requestSignal = sharedByRequests(AbortSignal.any([signal, cancel.signal]));
  const verified = new Map<number, Sliver>();
  /** Nodes that were down or byzantine once are not asked again for this blob. */
  const badNodes = new Set<number>();
  const pending: { sliver: Sliver; member: CommitteeMember }[] = [];
  const failures: string[] = [];
  let next = 0;
  let inFlight = 0;
  let verifyScheduled = false;
  let hedgeTimer: NodeJS.Timeout | undefined;

  return new Promise<SliverFetchOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: SliverFetchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(hedgeTimer);
      cancel.abort();
      resolve(outcome);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(hedgeTimer);
      cancel.abort();
      reject(error);
    };
    const launchMore = (count: number) => {
      let launched = 0;
      while (launched < count && next < candidates.length) {
        const candidate = candidates[next++];
        if (badNodes.has(candidate.member.index)) continue;
        launch(candidate);
        launched++;
      }
    };
    const checkExhausted = () => {
      if (settled) return;
      if (verified.size >= needed) return finish({ kind: 'complete', slivers: [...verified.values()] });
      if (signal.aborted) return finish({ kind: 'unavailable', verified: verified.size, detail: 'the request was aborted' });
      if (inFlight === 0 && pending.length === 0 && !verifyScheduled) {
        launchMore(needed - verified.size);
        if (inFlight === 0) {
          finish({ kind: 'unavailable', verified: verified.size, detail: `${verified.size} of ${needed} slivers verified (${failures.slice(0, 5).join('; ')})` });
        }
      }
    };
    const rejectSliver = (member: CommitteeMember, reason: string, error: unknown) => {
      badNodes.add(member.index);
      failures.push(`${member.name}: ${reason}`);
      request.onRejected?.(member.name, error);
      launchMore(1);
    };
    const verifyPending = () => {
      verifyScheduled = false;
      if (settled) return;
      const batch = pending.splice(0, pending.length).filter(({ sliver }) => !verified.has(sliver.index));
      try {
        const results = request.verify(batch.map(({ sliver }) => sliver));
        batch.forEach(({ sliver, member }, i) => {
          const error = results[i];
          if (error) rejectSliver(member, error.message, error);
          else verified.set(sliver.index, sliver);
        });
      } catch (error) {
        return fail(error);
      }
      rearmHedge();
      checkExhausted();
    };
    const launch = ({ pairIndex, member }: SliverCandidate) => {
      inFlight++;
      read.clients[member.index]
        .getPrimarySliver(blobId, pairIndex, requestSignal)
        .then(
          (bytes) => {
            if (settled) return;
            let sliver: Sliver;
            try {
              sliver = decodeSliver(bytes, 'primary');
            } catch (error) {
              return rejectSliver(member, (error as Error).message, error);
            }
            if (sliver.index !== pairIndex) return rejectSliver(member, `asked for sliver ${pairIndex}, got ${sliver.index}`, undefined);
            pending.push({ sliver, member });
            if (!verifyScheduled) {
              verifyScheduled = true;
              // Batch whatever else arrives in this turn of the event loop: one hashing pass for many slivers.
              setImmediate(verifyPending);
            }
          },
          (error: unknown) => {
            if (!(error instanceof NodeRequestError)) return fail(error);
            if (settled || error.kind === 'aborted') return;
            failures.push(error.message);
            // A node that is down will not serve its other shards either; one that lacks one sliver may have others.
            if (error.kind === 'unavailable') badNodes.add(member.index);
            launchMore(1);
          },
        )
        .finally(() => {
          inFlight--;
          checkExhausted();
        });
    };
    const rearmHedge = () => {
      clearTimeout(hedgeTimer);
      if (settled || next >= candidates.length) return;
      hedgeTimer = setTimeout(() => {
        // Progress stalled: some requests are slow. Add a few more rather than wait for them.
        launchMore(margin);
        rearmHedge();
      }, request.hedgeDelayMs);
      hedgeTimer.unref();
    };
    launchMore(needed + margin);
    rearmHedge();
    checkExhausted();
  });
}
