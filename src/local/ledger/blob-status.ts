import type { BlobRecord, EventRef } from './model.ts';

/** `EventID` as storage nodes serialize it: base58 digest, u64 sequence as a decimal string. */
export interface EventIdJson {
  readonly txDigest: string;
  readonly eventSeq: string;
}

/** `DeletableCounts`; its fields stay snake_case in the node API (docs/protocol.md §4.5). */
export interface DeletableCountsJson {
  readonly count_deletable_total: number;
  readonly count_deletable_certified: number;
}

/** A storage node's `BlobStatus` JSON (docs/protocol.md §4.5); the ledger never marks blobs invalid. */
export type BlobStatusJson =
  | 'nonexistent'
  | {
      readonly permanent: {
        readonly endEpoch: number;
        readonly isCertified: boolean;
        readonly statusEvent: EventIdJson;
        readonly deletableCounts: DeletableCountsJson;
        readonly initialCertifiedEpoch: number | null;
      };
    }
  | { readonly deletable: { readonly initialCertifiedEpoch: number | null; readonly deletableCounts: DeletableCountsJson } };

export function eventIdJson(ref: EventRef): EventIdJson {
  return { txDigest: ref.txDigest, eventSeq: String(ref.eventSeq) };
}

/** Live: not deleted (deleted blobs are gone from the state) and not expired. */
export function isLive(blob: BlobRecord, currentEpoch: number): boolean {
  return currentEpoch < blob.storage.endEpoch;
}

/**
 * The per-blob-ID status storage nodes report, derived from the live Blob objects with that ID
 * the way Walrus nodes aggregate their events (`blob_info_v1.rs` `to_blob_status`):
 * - any live certified permanent blob → permanent, certified, with the latest end epoch among them;
 * - else any live permanent blob → permanent, uncertified, with the latest end epoch;
 * - else any live deletable blob → deletable; else nonexistent.
 *
 * The status event is the first event that produced the reported end epoch (a registration, a
 * certification or an extension), as in `PermanentBlobInfo`. Unlike a node, which learns of
 * expiries in the background, the ledger computes from the objects and so is never stale.
 */
export function blobIdStatus(blobs: readonly BlobRecord[], currentEpoch: number): BlobStatusJson {
  const live = blobs.filter((blob) => isLive(blob, currentEpoch));
  const deletable = live.filter((blob) => blob.deletable);
  const deletableCounts: DeletableCountsJson = {
    count_deletable_total: deletable.length,
    count_deletable_certified: deletable.filter((blob) => blob.certifiedEpoch !== null).length,
  };
  const certifiedEpochs = live.flatMap((blob) => (blob.certifiedEpoch === null ? [] : [blob.certifiedEpoch]));
  const initialCertifiedEpoch = certifiedEpochs.length > 0 ? Math.min(...certifiedEpochs) : null;

  const permanent = live.filter((blob) => !blob.deletable);
  const certifiedPermanent = permanent.filter((blob) => blob.certifiedEpoch !== null);
  if (certifiedPermanent.length > 0) {
    const { endEpoch, event } = latestEnd(certifiedPermanent, (blob) => blob.certifiedEndEvent as EventRef);
    return { permanent: { endEpoch, isCertified: true, statusEvent: eventIdJson(event), deletableCounts, initialCertifiedEpoch } };
  }
  if (permanent.length > 0) {
    const { endEpoch, event } = latestEnd(permanent, (blob) => blob.registeredEvent);
    return { permanent: { endEpoch, isCertified: false, statusEvent: eventIdJson(event), deletableCounts, initialCertifiedEpoch } };
  }
  if (deletable.length > 0) return { deletable: { initialCertifiedEpoch, deletableCounts } };
  return 'nonexistent';
}

/** The latest end epoch among `blobs` and the earliest event that reached it. */
function latestEnd(blobs: readonly BlobRecord[], eventOf: (blob: BlobRecord) => EventRef): { endEpoch: number; event: EventRef } {
  let best = { endEpoch: -1, event: eventOf(blobs[0]) };
  for (const blob of blobs) {
    const event = eventOf(blob);
    const endEpoch = blob.storage.endEpoch;
    if (endEpoch > best.endEpoch || (endEpoch === best.endEpoch && event.order < best.event.order)) best = { endEpoch, event };
  }
  return best;
}
