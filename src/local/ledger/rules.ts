import { blobIdToString, deriveBlobId } from '../../codec/blob-id.ts';
import { ENCODING_TYPE_RS2, EncodingParams } from '../../codec/params.ts';
import { registrationCost, storageCostForEpochs } from '../../chain/storage-cost.ts';
import { type CertificateInput, verifyBlobCertificate } from './certificate.ts';
import { LedgerError } from './errors.ts';
import { deriveObjectId } from './ids.ts';
import type { LedgerState } from './ledger-state.ts';
import type { Address, BlobRecord, EventRef, LedgerEvent, ObjectId, Owner, StorageRecord, TransactionEffects, TransactionKind } from './model.ts';

/**
 * The Walrus system's rules for the calls a publisher makes (docs/protocol.md §5.3): each
 * planner checks a call against the state, in the order the Move code asserts, and returns the
 * effects to log and apply. Planners never change the state, so a refusal leaves it untouched.
 */

export type PostStore = { readonly kind: 'keep' } | { readonly kind: 'transfer'; readonly recipient: Address } | { readonly kind: 'share' };

export type TransactionCall =
  | {
      readonly kind: 'registerBlob';
      readonly blobId: string;
      readonly rootHash: Uint8Array;
      readonly size: number;
      readonly encodingType: number;
      readonly storageSize: number;
      readonly epochsAhead: number;
      readonly deletable: boolean;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'certifyBlob'; readonly blobObjectId: ObjectId; readonly certificate: CertificateInput; readonly postStore: PostStore }
  | { readonly kind: 'extendBlob'; readonly blobObjectId: ObjectId; readonly extendedEpochs: number }
  | { readonly kind: 'deleteBlob'; readonly blobObjectId: ObjectId }
  | { readonly kind: 'transferWal'; readonly recipient: Address; readonly amount: bigint };

export interface TransactionContext {
  readonly digest: string;
  readonly sender: Address;
  readonly expiresAtMs: number;
  readonly executedAtMs: number;
  readonly pureInputs: readonly Uint8Array[];
}

export function planTransaction(state: LedgerState, context: TransactionContext, call: TransactionCall): TransactionEffects {
  switch (call.kind) {
    case 'registerBlob':
      return planRegisterBlob(state, context, call);
    case 'certifyBlob':
      return planCertifyBlob(state, context, call);
    case 'extendBlob':
      return planExtendBlob(state, context, call);
    case 'deleteBlob':
      return planDeleteBlob(state, context, call);
    case 'transferWal':
      return planTransferWal(state, context, call);
  }
}

type Call<K extends TransactionKind> = Extract<TransactionCall, { kind: K }>;

/** `reserve_space(encoded size, epochs)` then `register_blob` on that storage, as one transaction. */
function planRegisterBlob(state: LedgerState, context: TransactionContext, call: Call<'registerBlob'>): TransactionEffects {
  if (call.encodingType !== ENCODING_TYPE_RS2) throw new LedgerError('UNSUPPORTED_ENCODING_TYPE', `encoding type ${call.encodingType} is not RS2 (${ENCODING_TYPE_RS2})`);
  if (call.epochsAhead <= 0 || call.epochsAhead > state.maxEpochsAhead) {
    throw new LedgerError('INVALID_EPOCHS_AHEAD', `epochs ahead must be from 1 to ${state.maxEpochsAhead}, not ${call.epochsAhead}`);
  }
  if (call.storageSize <= 0) throw new LedgerError('INVALID_TRANSACTION', 'the storage size must be positive');
  const storage: StorageRecord = {
    id: deriveObjectId(context.digest, 0),
    startEpoch: state.epoch,
    endEpoch: state.epoch + call.epochsAhead,
    storageSize: call.storageSize,
  };

  // `blob::new`: resource bounds, size, then the blob ID derivation.
  if (!(storage.startEpoch <= state.epoch && state.epoch < storage.endEpoch)) {
    throw new LedgerError('BLOB_EXPIRED', `storage for epochs ${storage.startEpoch}…${storage.endEpoch} does not cover epoch ${state.epoch}`);
  }
  const encodedLength = encodedLengthOf(state.nShards, call.size);
  if (encodedLength > storage.storageSize) {
    throw new LedgerError('STORAGE_TOO_SMALL', `the blob's encoded length ${encodedLength} exceeds the ${storage.storageSize} bytes reserved`, {
      encodedLength: String(encodedLength),
    });
  }
  const derived = blobIdToString(deriveBlobId(call.rootHash, call.size, call.encodingType));
  if (derived !== call.blobId) {
    throw new LedgerError('BLOB_ID_MISMATCH', `blob ID ${call.blobId} is not derived from the root hash and size ${call.size} (expected ${derived})`);
  }

  const cost = registrationCost(state, storage.storageSize, encodedLength, call.epochsAhead);
  requireBalance(state, context.sender, cost.total);

  const blobObjectId = deriveObjectId(context.digest, 1);
  const registeredEvent = eventRef(state, context, 0);
  const blob: BlobRecord = {
    id: blobObjectId,
    owner: { kind: 'address', address: context.sender },
    registeredEpoch: state.epoch,
    blobId: call.blobId,
    size: call.size,
    encodingType: call.encodingType,
    certifiedEpoch: null,
    storage,
    deletable: call.deletable,
    attributes: { ...call.attributes },
    registeredEvent,
    certifiedEndEvent: null,
  };
  return effects(context, 'registerBlob', {
    balanceChanges: [{ address: context.sender, delta: -cost.total }],
    charges: { storage: cost.storage, write: cost.write },
    created: [storage.id, blobObjectId],
    writtenBlobs: [blob],
    events: [
      {
        type: 'BlobRegistered',
        ref: registeredEvent,
        epoch: state.epoch,
        blobId: blob.blobId,
        size: blob.size,
        encodingType: blob.encodingType,
        endEpoch: storage.endEpoch,
        deletable: blob.deletable,
        objectId: blob.id,
      },
    ],
  });
}

/** `certify_blob` (`system_state_inner.move`, `blob::certify_with_certified_msg`), then the post-store action. */
function planCertifyBlob(state: LedgerState, context: TransactionContext, call: Call<'certifyBlob'>): TransactionEffects {
  const blob = ownedBlob(state, context.sender, call.blobObjectId);
  const message = verifyBlobCertificate({ epoch: state.epoch, nShards: state.nShards, members: state.committee }, call.certificate);
  const certifiedBlobId = blobIdToString(message.blobId);
  if (certifiedBlobId !== blob.blobId) throw new LedgerError('CERTIFICATE_MISMATCH', `the certificate is for blob ${certifiedBlobId}, the object holds ${blob.blobId}`);
  if (blob.certifiedEpoch !== null) throw new LedgerError('BLOB_ALREADY_CERTIFIED', `blob object ${blob.id} was certified in epoch ${blob.certifiedEpoch}`);
  requireUnexpired(state, blob);
  if (blob.deletable !== (message.persistence.kind === 'deletable')) {
    throw new LedgerError('CERTIFICATE_MISMATCH', `the certificate is for a ${message.persistence.kind} blob; the object is ${blob.deletable ? 'deletable' : 'permanent'}`);
  }
  if (message.persistence.kind === 'deletable') {
    const certifiedObjectId = `0x${Buffer.from(message.persistence.objectId).toString('hex')}`;
    if (certifiedObjectId !== blob.id) throw new LedgerError('CERTIFICATE_MISMATCH', `the certificate is for blob object ${certifiedObjectId}, not ${blob.id}`);
  }

  const sharedBlobObjectId = call.postStore.kind === 'share' ? deriveObjectId(context.digest, 0) : null;
  const owner: Owner =
    call.postStore.kind === 'transfer'
      ? { kind: 'address', address: call.postStore.recipient }
      : sharedBlobObjectId !== null
        ? { kind: 'shared', sharedObjectId: sharedBlobObjectId }
        : blob.owner;
  const certifiedEvent = eventRef(state, context, 0);
  const certified: BlobRecord = { ...blob, owner, certifiedEpoch: state.epoch, certifiedEndEvent: certifiedEvent };
  return effects(context, 'certifyBlob', {
    created: sharedBlobObjectId === null ? [] : [sharedBlobObjectId],
    mutated: [blob.id],
    writtenBlobs: [certified],
    events: [certifiedEventOf(certified, certifiedEvent, false)],
    sharedBlobObjectId,
  });
}

/** `extend_blob`: certified, unexpired, 0 < extension, new end ≤ current + max epochs ahead. */
function planExtendBlob(state: LedgerState, context: TransactionContext, call: Call<'extendBlob'>): TransactionEffects {
  const blob = state.blob(call.blobObjectId);
  if (!blob) throw new LedgerError('OBJECT_NOT_FOUND', `no blob object ${call.blobObjectId}`);
  // A SharedBlob may be extended by anyone (`shared_blob::extend`); an owned Blob only by its owner.
  if (blob.owner.kind === 'address' && blob.owner.address !== context.sender) throw notOwner(blob.id);
  if (blob.certifiedEpoch === null) throw new LedgerError('BLOB_NOT_CERTIFIED', `blob object ${blob.id} is not certified`);
  requireUnexpired(state, blob);
  const endOffset = blob.storage.endEpoch - state.epoch + call.extendedEpochs;
  if (call.extendedEpochs <= 0 || endOffset > state.maxEpochsAhead) {
    throw new LedgerError(
      'INVALID_EPOCHS_AHEAD',
      `extending by ${call.extendedEpochs} would end ${endOffset} epochs ahead; the limit is ${state.maxEpochsAhead}`,
    );
  }
  const cost = storageCostForEpochs(state, blob.storage.storageSize, call.extendedEpochs);
  requireBalance(state, context.sender, cost);

  const extensionEvent = eventRef(state, context, 0);
  const extended: BlobRecord = {
    ...blob,
    storage: { ...blob.storage, endEpoch: blob.storage.endEpoch + call.extendedEpochs },
    certifiedEndEvent: extensionEvent,
  };
  return effects(context, 'extendBlob', {
    balanceChanges: [{ address: context.sender, delta: -cost }],
    charges: { storage: cost, write: 0n },
    mutated: [blob.id],
    writtenBlobs: [extended],
    events: [certifiedEventOf(extended, extensionEvent, true)],
  });
}

/** `delete_blob` (`blob::delete`): deletable and unexpired; the storage goes back to the owner. */
function planDeleteBlob(state: LedgerState, context: TransactionContext, call: Call<'deleteBlob'>): TransactionEffects {
  const blob = ownedBlob(state, context.sender, call.blobObjectId);
  if (!blob.deletable) throw new LedgerError('BLOB_NOT_DELETABLE', `blob object ${blob.id} is permanent`);
  requireUnexpired(state, blob);
  return effects(context, 'deleteBlob', {
    created: [blob.storage.id],
    deleted: [blob.id],
    writtenStorage: [{ ...blob.storage, owner: context.sender }],
    events: [
      {
        type: 'BlobDeleted',
        ref: eventRef(state, context, 0),
        epoch: state.epoch,
        blobId: blob.blobId,
        endEpoch: blob.storage.endEpoch,
        objectId: blob.id,
        wasCertified: blob.certifiedEpoch !== null,
      },
    ],
  });
}

function planTransferWal(state: LedgerState, context: TransactionContext, call: Call<'transferWal'>): TransactionEffects {
  if (call.amount <= 0n) throw new LedgerError('INVALID_TRANSACTION', 'the amount must be positive');
  requireBalance(state, context.sender, call.amount);
  return effects(context, 'transferWal', {
    balanceChanges: [
      { address: context.sender, delta: -call.amount },
      { address: call.recipient, delta: call.amount },
    ],
  });
}

function encodedLengthOf(nShards: number, size: number): number {
  try {
    return EncodingParams.forShards(nShards).encodedLength(size);
  } catch (error) {
    throw new LedgerError('INVALID_TRANSACTION', (error as Error).message);
  }
}

/** A Blob object the sender owns directly (a wrapped SharedBlob's blob has no single owner). */
function ownedBlob(state: LedgerState, sender: Address, objectId: ObjectId): BlobRecord {
  const blob = state.blob(objectId);
  if (!blob) throw new LedgerError('OBJECT_NOT_FOUND', `no blob object ${objectId}`);
  if (blob.owner.kind !== 'address' || blob.owner.address !== sender || blob.id !== objectId) throw notOwner(objectId);
  return blob;
}

function notOwner(objectId: ObjectId): LedgerError {
  return new LedgerError('NOT_OBJECT_OWNER', `the sender does not own object ${objectId}`);
}

function requireUnexpired(state: LedgerState, blob: BlobRecord): void {
  if (state.epoch >= blob.storage.endEpoch) {
    throw new LedgerError('BLOB_EXPIRED', `blob object ${blob.id} expired at the start of epoch ${blob.storage.endEpoch}`);
  }
}

function requireBalance(state: LedgerState, address: Address, required: bigint): void {
  const available = state.balanceOf(address);
  if (available < required) {
    throw new LedgerError('INSUFFICIENT_BALANCE', `${address} holds ${available} FROST; the call costs ${required}`, {
      required: String(required),
      available: String(available),
    });
  }
}

function eventRef(state: LedgerState, context: TransactionContext, eventSeq: number): EventRef {
  return { txDigest: context.digest, eventSeq, order: state.eventCount + eventSeq };
}

/** `emit_certified`: the event carries the first certification epoch, also for extensions. */
function certifiedEventOf(blob: BlobRecord, ref: EventRef, isExtension: boolean): LedgerEvent {
  return {
    type: 'BlobCertified',
    ref,
    epoch: blob.certifiedEpoch as number,
    blobId: blob.blobId,
    endEpoch: blob.storage.endEpoch,
    deletable: blob.deletable,
    objectId: blob.id,
    isExtension,
  };
}

function effects(context: TransactionContext, kind: TransactionKind, changes: Partial<TransactionEffects>): TransactionEffects {
  return {
    digest: context.digest,
    kind,
    sender: context.sender,
    expiresAtMs: context.expiresAtMs,
    balanceChanges: [],
    charges: { storage: 0n, write: 0n },
    created: [],
    mutated: [],
    deleted: [],
    writtenBlobs: [],
    writtenStorage: [],
    events: [],
    sharedBlobObjectId: null,
    executedAtMs: context.executedAtMs,
    pureInputs: context.pureInputs.map((bytes) => Buffer.from(bytes).toString('base64')),
    ...changes,
  };
}
