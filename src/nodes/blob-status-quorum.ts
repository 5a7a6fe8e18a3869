/**
 * The blob's lifecycle as the nodes report it (docs/protocol.md §3.4 "Status"): ask every node,
 * weigh each answer by its shards, and accept a status once nodes holding more than f shards
 * agree on it — so at least one honest node vouches for it.
 */
import { certificateQuorumWeight, isValidity, type ReadCommittee } from './committee-view.ts';
import { FanOut } from './fan-out.ts';
import type { NodeBlobStatus } from './node-responses.ts';

export interface BlobStatusVote {
  /** The status more than f shards agree on, or `undefined` when none does. */
  readonly status: NodeBlobStatus | undefined;
  /** Shards whose nodes answered with a well-formed status by the time the vote closed. */
  readonly answeredWeight: number;
}

export interface BlobStatusOptions {
  /**
   * Keep collecting answers until nodes holding this many shards answered (or all did): the
   * publisher asks for a certificate quorum's worth before it pays, so that a write it cannot
   * finish is refused for free.
   */
  readonly untilAnsweredWeight?: number;
}

export function fetchBlobStatus(read: ReadCommittee, blobId: Uint8Array, signal: AbortSignal, options: BlobStatusOptions = {}): Promise<BlobStatusVote> {
  const { committee, clients } = read;
  const fan = new FanOut<BlobStatusVote>({ signal });
  const votes = new Map<string, { status: NodeBlobStatus; weight: number }>();
  let answeredWeight = 0;
  const wanted = options.untilAnsweredWeight ?? 0;
  /**
   * The status to report: one more than f shards vouch for, certified ones first — nodes learn of
   * a certification at different times, and "registered" from laggards must not hide it.
   */
  const agreed = (): NodeBlobStatus | undefined => {
    let best: NodeBlobStatus | undefined;
    for (const { status, weight } of votes.values()) {
      if (!isValidity(weight, committee)) continue;
      if (best === undefined || (isCertified(status) && !isCertified(best))) best = status;
    }
    return best;
  };
  fan.onIdle = () => fan.finish({ status: agreed(), answeredWeight });
  for (const member of committee.members) {
    if (member.weight === 0) continue;
    fan.launch(member, (requestSignal) => clients[member.index].getBlobStatus(blobId, requestSignal), (outcome) => {
      // Unreachable, refusing or lying nodes simply do not vote.
      if (outcome.kind !== 'ok') return;
      answeredWeight += member.weight;
      const status = outcome.value;
      const key = `${status.kind}:${status.certifiedEpoch}:${status.endEpoch}`;
      const entry = votes.get(key) ?? { status, weight: 0 };
      entry.weight += member.weight;
      votes.set(key, entry);
      const best = agreed();
      // "Registered" waits for a quorum's answers (not every node's: one hanging node must not hold
      // the read), among which a certification more than f shards have seen would show.
      const enough = Math.max(wanted, best && isRegisteredUncertified(best) ? certificateQuorumWeight(committee) : 0);
      if (best && answeredWeight >= enough) fan.finish({ status: best, answeredWeight });
    });
  }
  if (fan.inFlight === 0) fan.finish({ status: undefined, answeredWeight: 0 });
  return fan.result;
}

/** Some live Blob object of this ID is certified (`initialCertifiedEpoch`), so its data must be available. */
export function isCertified(status: NodeBlobStatus): boolean {
  return status.certifiedEpoch !== null;
}

/** Registered on chain, not (yet) certified: its data is not guaranteed to be available. */
export function isRegisteredUncertified(status: NodeBlobStatus): boolean {
  return (status.kind === 'permanent' || status.kind === 'deletable') && !isCertified(status);
}
