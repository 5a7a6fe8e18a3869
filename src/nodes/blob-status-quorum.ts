/**
 * The blob's lifecycle as the nodes report it (walrus-protocol.md §3.4 "Status"): ask every node,
 * weigh each answer by its shards, and accept a status once nodes holding more than f shards
 * agree on it — so at least one honest node vouches for it.
 */
import { isValidity, type ReadCommittee } from './committee-view.ts';
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
  let agreed: NodeBlobStatus | undefined;
  let answeredWeight = 0;
  const wanted = options.untilAnsweredWeight ?? 0;
  fan.onIdle = () => fan.finish({ status: agreed, answeredWeight });
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
      agreed ??= isValidity(entry.weight, committee) ? entry.status : undefined;
      if (agreed && answeredWeight >= wanted) fan.finish({ status: agreed, answeredWeight });
    });
  }
  if (fan.inFlight === 0) fan.finish({ status: undefined, answeredWeight: 0 });
  return fan.result;
}
