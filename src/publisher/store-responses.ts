/**
 * The reference's `BlobStoreResult` JSON, camelCase as it is really serialized (docs/http-api.md §1.6;
 * `responses.rs`, `resource.rs`, `move_structs.rs`), not the snake_case of its OpenAPI file.
 */
import type { BlobObject, EventId, ObjectId } from '../chain/chain-client.ts';

export interface BlobObjectJson {
  readonly id: ObjectId;
  readonly registeredEpoch: number;
  readonly blobId: string;
  readonly size: number;
  readonly encodingType: 'RS2';
  readonly certifiedEpoch: number | null;
  readonly storage: { readonly id: ObjectId; readonly startEpoch: number; readonly endEpoch: number; readonly storageSize: number };
  readonly deletable: boolean;
}

export type ResourceOperationJson =
  | { readonly registerFromScratch: { readonly encodedLength: number; readonly epochsAhead: number } }
  | { readonly reuseRegistration: { readonly encodedLength: number } };

export type BlobStoreResultJson =
  | {
      readonly newlyCreated: {
        readonly blobObject: BlobObjectJson;
        readonly resourceOperation: ResourceOperationJson;
        readonly cost: number;
        readonly sharedBlobObject?: ObjectId;
      };
    }
  | { readonly alreadyCertified: { readonly blobId: string; readonly event: EventId; readonly endEpoch: number } }
  | { readonly alreadyCertified: { readonly blobId: string; readonly object: ObjectId; readonly endEpoch: number } };

/** The reference's `QuiltStoreResult`: the quilt blob's result and every patch's ID. */
export interface QuiltStoreResultJson {
  readonly blobStoreResult: BlobStoreResultJson;
  readonly storedQuiltBlobs: readonly { readonly identifier: string; readonly quiltPatchId: string }[];
}

/** The blob ID any store result names. */
export function storedBlobId(result: BlobStoreResultJson): string {
  return 'newlyCreated' in result ? result.newlyCreated.blobObject.blobId : result.alreadyCertified.blobId;
}

/** The Move `Blob` fields in the reference's order; the owner and attributes are not part of it. */
export function blobObjectJson(blob: BlobObject): BlobObjectJson {
  return {
    id: blob.id,
    registeredEpoch: blob.registeredEpoch,
    blobId: blob.blobId,
    size: blob.size,
    encodingType: blob.encodingType,
    certifiedEpoch: blob.certifiedEpoch,
    storage: { id: blob.storage.id, startEpoch: blob.storage.startEpoch, endEpoch: blob.storage.endEpoch, storageSize: blob.storage.storageSize },
    deletable: blob.deletable,
  };
}
