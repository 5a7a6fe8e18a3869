/**
 * Metadata from a few nodes, as the Rust client's `retrieve_metadata` (walrus-protocol.md §3.4):
 * a small number of requests in parallel; the first answer that verifies against the blob ID
 * wins; a byzantine answer just makes room for the next node. Not-found (and blocked) answers are
 * summed by shard weight: the first one widens the fan-out to every node so that an unknown blob
 * reaches a quorum, and a 404, fast.
 */
import type { CommitteeMember } from '../chain/chain-client.ts';
import { isQuorum, type ReadCommittee } from './committee-view.ts';
import { NodeRequestError, sharedByRequests } from './storage-node-client.ts';

/** The reference's `max_concurrent_metadata_reads`. */
export const METADATA_CONCURRENCY = 3;

export type QuorumOutcome<T> =
  | { readonly kind: 'found'; readonly value: T; readonly node: string }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'unavailable'; readonly detail: string };

/** Parses and verifies one node's answer; throws when it must not be trusted. */
export type VerifyAnswer<T> = (bytes: Uint8Array, node: string) => T;

export interface MetadataFetchOptions {
  readonly concurrency?: number;
  /** Called for every answer that failed verification (a byzantine or broken node). */
  readonly onRejected?: (node: string, error: unknown) => void;
}

/** Shuffles members so load spreads and no fixed node is always asked first. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export function fetchVerifiedMetadata<T>(
  read: ReadCommittee,
  blobId: Uint8Array,
  verify: VerifyAnswer<T>,
  signal: AbortSignal,
  options: MetadataFetchOptions = {},
): Promise<QuorumOutcome<T>> {
  const { committee, clients } = read;
  const order = shuffled(committee.members.filter((member) => member.weight > 0));
  const cancel = new AbortController();
  const requestSignal = sharedByRequests(AbortSignal.any([signal, cancel.signal]));
  let next = 0;
  let inFlight = 0;
  let notFoundWeight = 0;
  let forbiddenWeight = 0;
  let widened = false;
  const failures: string[] = [];

  return new Promise<QuorumOutcome<T>>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: QuorumOutcome<T>) => {
      if (settled) return;
      settled = true;
      cancel.abort();
      resolve(outcome);
    };
    const launch = (member: CommitteeMember) => {
      inFlight++;
      clients[member.index]
        .getMetadata(blobId, requestSignal)
        .then((bytes) => {
          try {
            finish({ kind: 'found', value: verify(bytes, member.name), node: member.name });
          } catch (error) {
            options.onRejected?.(member.name, error);
            failures.push(`${member.name}: ${(error as Error).message}`);
          }
        })
        .catch((error: unknown) => {
          if (!(error instanceof NodeRequestError)) throw error;
          failures.push(error.message);
          if (error.kind === 'notFound') notFoundWeight += member.weight;
          if (error.kind === 'forbidden') forbiddenWeight += member.weight;
          if (isQuorum(notFoundWeight + forbiddenWeight, committee)) {
            finish(forbiddenWeight > notFoundWeight ? { kind: 'forbidden' } : { kind: 'notFound' });
          }
          if (error.kind === 'notFound' || error.kind === 'forbidden') widened = true;
        })
        .catch((error: unknown) => {
          settled = true;
          cancel.abort();
          reject(error);
        })
        .finally(() => {
          inFlight--;
          if (settled) return;
          if (signal.aborted) return finish({ kind: 'unavailable', detail: 'the request was aborted' });
          fill();
          if (inFlight === 0) finish({ kind: 'unavailable', detail: `no node served verifiable metadata (${failures.slice(0, 5).join('; ')})` });
        });
    };
    const fill = () => {
      const limit = widened ? Infinity : (options.concurrency ?? METADATA_CONCURRENCY);
      while (next < order.length && inFlight < limit) launch(order[next++]);
    };
    fill();
    if (inFlight === 0) finish({ kind: 'unavailable', detail: 'the committee has no members' });
  });
}
