import { BcsReader, BcsWriter } from './bcs.ts';
import { DIGEST_LENGTH } from './params.ts';

/**
 * Storage confirmations: the BCS `ProtocolMessage<StorageConfirmationBody>` a storage node signs
 * for a blob it holds all its slivers of (docs/protocol.md §4.6). Every signer must sign the
 * identical bytes so the signatures aggregate into one certificate.
 */
export const INTENT_BLOB_CERT_MSG = 1;
export const INTENT_VERSION = 0;
export const APP_ID_STORAGE = 3;
const PERSISTENCE_PERMANENT = 0;
const PERSISTENCE_DELETABLE = 1;
/** Sui object IDs are 32 bytes. */
export const OBJECT_ID_LENGTH = 32;

export type Persistence = { readonly kind: 'permanent' } | { readonly kind: 'deletable'; readonly objectId: Uint8Array };

export interface StorageConfirmation {
  readonly epoch: number;
  readonly blobId: Uint8Array;
  readonly persistence: Persistence;
}

/** The exact bytes to sign: 40 bytes for a permanent blob, 72 for a deletable one. */
export function encodeConfirmation({ epoch, blobId, persistence }: StorageConfirmation): Uint8Array {
  const writer = new BcsWriter(72)
    .u8(INTENT_BLOB_CERT_MSG)
    .u8(INTENT_VERSION)
    .u8(APP_ID_STORAGE)
    .u32(epoch)
    .fixedBytes(blobId);
  if (persistence.kind === 'permanent') writer.u8(PERSISTENCE_PERMANENT);
  else writer.u8(PERSISTENCE_DELETABLE).fixedBytes(persistence.objectId);
  return writer.toBytes();
}

/** Parses confirmation bytes, refusing any other intent, version or app. */
export function decodeConfirmation(bytes: Uint8Array): StorageConfirmation {
  const reader = new BcsReader(bytes, 'storage confirmation');
  const intent = reader.u8();
  const version = reader.u8();
  const app = reader.u8();
  if (intent !== INTENT_BLOB_CERT_MSG || version !== INTENT_VERSION || app !== APP_ID_STORAGE) {
    reader.fail(`intent (${intent}, ${version}, ${app}) is not a blob certification message`);
  }
  const epoch = reader.u32();
  const blobId = reader.fixedBytes(DIGEST_LENGTH).slice();
  const tag = reader.u8();
  let persistence: Persistence;
  if (tag === PERSISTENCE_PERMANENT) persistence = { kind: 'permanent' };
  else if (tag === PERSISTENCE_DELETABLE) persistence = { kind: 'deletable', objectId: reader.fixedBytes(OBJECT_ID_LENGTH).slice() };
  else return reader.fail(`unknown persistence ${tag}`);
  reader.end();
  return { epoch, blobId, persistence };
}

/**
 * The signers bitmap `certify_blob` takes: member i is bit i % 8 (least significant first) of
 * byte i / 8, over ceil(members / 8) bytes.
 */
export function signersToBitmap(signers: readonly number[], memberCount: number): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(memberCount / 8));
  for (const i of signers) {
    if (!Number.isInteger(i) || i < 0 || i >= memberCount) throw new RangeError(`signer ${i} is not a committee member`);
    bitmap[i >> 3] |= 1 << (i & 7);
  }
  return bitmap;
}

/** The member indices a bitmap names; throws when it is longer than the committee or sets bits past it. */
export function bitmapToSigners(bitmap: Uint8Array, memberCount: number): number[] {
  if (bitmap.length > Math.ceil(memberCount / 8)) throw new RangeError('signers bitmap is longer than the committee');
  const signers: number[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) {
    if ((bitmap[i >> 3] >> (i & 7)) & 1) {
      if (i >= memberCount) throw new RangeError(`signers bitmap names member ${i} of ${memberCount}`);
      signers.push(i);
    }
  }
  return signers;
}
