import { normalizeSuiObjectId } from '@mysten/sui/utils';
import { blobIdFromU256, blobIdToString } from '../codec/blob-id.ts';
import { ENCODING_TYPE_RS2 } from '../codec/params.ts';
import type { BlobEvent, BlobObject, BlobOwner, EventId } from './chain-client.ts';
import { InvalidChainResponseError } from './chain-errors.ts';
import { BlobCertifiedEvent, BlobDeletedEvent, BlobRegisteredEvent, type BlobMetadata, type BlobValue } from './sui-bcs.ts';

type BlobMetadataValue = ReturnType<typeof BlobMetadata.parse>;

/** A decoded Move `Blob` (and its `metadata` field, if any) as the gateway's {@link BlobObject}. */
export function blobObjectFromMove(blob: BlobValue, owner: BlobOwner, metadata: BlobMetadataValue | null): BlobObject {
  if (blob.encoding_type !== ENCODING_TYPE_RS2) {
    throw new InvalidChainResponseError(`blob object ${blob.id} has encoding type ${blob.encoding_type}; only RS2 is supported`);
  }
  const attributes: Record<string, string> = {};
  for (const entry of metadata?.metadata.contents ?? []) attributes[entry.key] = entry.value;
  return {
    id: normalizeSuiObjectId(blob.id),
    registeredEpoch: blob.registered_epoch,
    blobId: blobIdText(blob.blob_id),
    size: safeNumber(blob.size, 'size'),
    encodingType: 'RS2',
    certifiedEpoch: blob.certified_epoch ?? null,
    storage: {
      id: normalizeSuiObjectId(blob.storage.id),
      startEpoch: blob.storage.start_epoch,
      endEpoch: blob.storage.end_epoch,
      storageSize: safeNumber(blob.storage.storage_size, 'storage size'),
    },
    deletable: blob.deletable,
    owner,
    attributes,
  };
}

/** Move's u256 blob ID (decimal string from BCS) in the 43-character text form. */
export function blobIdText(u256: string): string {
  return blobIdToString(blobIdFromU256(BigInt(u256)));
}

function safeNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidChainResponseError(`${what} ${value} does not fit a JavaScript number`);
  return n;
}

/** A Sui event as the core client API returns it: its Move type and BCS contents. */
export interface SuiEventInput {
  readonly eventType: string;
  readonly bcs: Uint8Array;
}

/**
 * The Walrus blob events in a transaction (module `events`), in emission order; other events are
 * skipped. `packageOriginalId` is the Walrus package's original ID, which event types carry.
 */
export function blobEventsFromSui(digest: string, events: readonly SuiEventInput[], packageOriginalId: string): BlobEvent[] {
  const prefix = `${normalizeSuiObjectId(packageOriginalId)}::events::`;
  const result: BlobEvent[] = [];
  events.forEach((event, index) => {
    const type = normalizeEventType(event.eventType);
    if (!type.startsWith(prefix)) return;
    const id: EventId = { txDigest: digest, eventSeq: String(index) };
    const name = type.slice(prefix.length);
    if (name === 'BlobRegistered') {
      const e = BlobRegisteredEvent.parse(event.bcs);
      result.push({
        type: 'blobRegistered',
        id,
        epoch: e.epoch,
        blobId: blobIdText(e.blob_id),
        size: safeNumber(e.size, 'size'),
        encodingType: e.encoding_type,
        endEpoch: e.end_epoch,
        deletable: e.deletable,
        objectId: normalizeSuiObjectId(e.object_id),
      });
    } else if (name === 'BlobCertified') {
      const e = BlobCertifiedEvent.parse(event.bcs);
      result.push({
        type: 'blobCertified',
        id,
        epoch: e.epoch,
        blobId: blobIdText(e.blob_id),
        endEpoch: e.end_epoch,
        deletable: e.deletable,
        objectId: normalizeSuiObjectId(e.object_id),
        isExtension: e.is_extension,
      });
    } else if (name === 'BlobDeleted') {
      const e = BlobDeletedEvent.parse(event.bcs);
      result.push({
        type: 'blobDeleted',
        id,
        epoch: e.epoch,
        blobId: blobIdText(e.blob_id),
        endEpoch: e.end_epoch,
        objectId: normalizeSuiObjectId(e.object_id),
        wasCertified: e.was_certified,
      });
    }
  });
  return result;
}

/** Event types may come with a short (`0x2`) or long address; compare in long form. */
function normalizeEventType(type: string): string {
  const split = type.indexOf('::');
  return split < 0 ? type : normalizeSuiObjectId(type.slice(0, split)) + type.slice(split);
}
