/**
 * The blob's lifecycle as the nodes report it (walrus-protocol.md §3.4 "Status"): ask every node,
 * weigh each answer by its shards, and accept a status once nodes holding more than f shards
 * agree on it — so at least one honest node vouches for it.
 */
import { isValidity, type ReadCommittee } from './committee-view.ts';
import { NodeRequestError, type NodeBlobStatus, sharedByRequests } from './storage-node-client.ts';

/** Resolves with the status more than f shards agree on, or `undefined` when none does. */
export function fetchBlobStatus(read: ReadCommittee, blobId: Uint8Array, signal: AbortSignal): Promise<NodeBlobStatus | undefined> {
  const { committee, clients } = read;
  const cancel = new AbortController();
  const requestSignal = sharedByRequests(AbortSignal.any([signal, cancel.signal]));
  const weights = new Map<string, { status: NodeBlobStatus; weight: number }>();
  const members = committee.members.filter((member) => member.weight > 0);
  let remaining = members.length;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: NodeBlobStatus | undefined) => {
      if (settled) return;
      settled = true;
      cancel.abort();
      resolve(status);
    };
    if (remaining === 0) return finish(undefined);
    for (const member of members) {
      clients[member.index]
        .getBlobStatus(blobId, requestSignal)
        .then((status) => {
          const key = `${status.kind}:${status.certifiedEpoch}:${status.endEpoch}`;
          const entry = weights.get(key) ?? { status, weight: 0 };
          entry.weight += member.weight;
          weights.set(key, entry);
          if (isValidity(entry.weight, committee)) finish(entry.status);
        })
        .catch((error: unknown) => {
          // Unreachable or unparsable nodes simply do not vote; anything else is a bug.
          if (!(error instanceof NodeRequestError) && !(error instanceof SyntaxError)) throw error;
        })
        .finally(() => {
          if (--remaining === 0) finish(undefined);
        });
    }
  });
}
