/**
 * Metadata from a few nodes, as the Rust client's `retrieve_metadata` (docs/protocol.md §3.4):
 * a small number of requests in parallel; the first answer that verifies against the blob ID
 * wins; a byzantine answer just makes room for the next node. Not-found (and blocked) answers are
 * summed by shard weight: the first one widens the fan-out to every node so that an unknown blob
 * reaches a quorum, and a 404, fast.
 */
import type { CommitteeMember } from '../chain/chain-client.ts';
import { metadataBcsLength } from '../codec/metadata.ts';
import { isQuorum, type ReadCommittee } from './committee-view.ts';
import { FanOut, shuffled } from './fan-out.ts';
import { describeOutcome, isForbidden, isNotFound, quoteFailures } from './node-outcome.ts';

/** The reference's `max_concurrent_metadata_reads`. */
export const METADATA_CONCURRENCY = 3;
/** `BlobMetadataWithId` = the 32-byte blob ID, then `BlobMetadata`. */
const BLOB_ID_BYTES = 32;

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

export function fetchVerifiedMetadata<T>(
  read: ReadCommittee,
  blobId: Uint8Array,
  verify: VerifyAnswer<T>,
  signal: AbortSignal,
  options: MetadataFetchOptions = {},
): Promise<QuorumOutcome<T>> {
  const { committee, clients } = read;
  const order = shuffled(committee.members.filter((member) => member.weight > 0));
  const maxBytes = BLOB_ID_BYTES + metadataBcsLength(committee.nShards);
  const fan = new FanOut<QuorumOutcome<T>>({ signal });
  let next = 0;
  let notFoundWeight = 0;
  let forbiddenWeight = 0;
  let widened = false;
  const failures: string[] = [];

  const fill = () => {
    const limit = widened ? Infinity : (options.concurrency ?? METADATA_CONCURRENCY);
    while (next < order.length && fan.inFlight < limit) launch(order[next++]);
  };
  const launch = (member: CommitteeMember) => {
    fan.launch(member, (requestSignal) => clients[member.index].getMetadata(blobId, maxBytes, requestSignal), (outcome) => {
      if (outcome.kind === 'ok') {
        try {
          return fan.finish({ kind: 'found', value: verify(outcome.value, member.name), node: member.name });
        } catch (error) {
          fan.distrust(member);
          options.onRejected?.(member.name, error);
          failures.push(`${member.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      } else {
        failures.push(describeOutcome(member.name, outcome));
        if (isNotFound(outcome)) notFoundWeight += member.weight;
        if (isForbidden(outcome)) forbiddenWeight += member.weight;
        if (isQuorum(notFoundWeight + forbiddenWeight, committee)) {
          return fan.finish(forbiddenWeight > notFoundWeight ? { kind: 'forbidden' } : { kind: 'notFound' });
        }
        if (isNotFound(outcome) || isForbidden(outcome)) widened = true;
      }
      fill();
    });
  };
  fan.onIdle = () => fan.finish({ kind: 'unavailable', detail: `no node served verifiable metadata (${quoteFailures(failures)})` });
  fill();
  if (fan.inFlight === 0) fan.finish({ kind: 'unavailable', detail: 'the committee has no members' });
  return fan.result;
}
