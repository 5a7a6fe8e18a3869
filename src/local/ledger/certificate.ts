import { BcsReader } from '../../codec/bcs.ts';
import { APP_ID_STORAGE, INTENT_BLOB_CERT_MSG, INTENT_VERSION, OBJECT_ID_LENGTH, bitmapToSigners } from '../../codec/confirmation.ts';
import { DIGEST_LENGTH } from '../../codec/params.ts';
import { blsVerifyAggregate } from '../../crypto/bls.ts';
import { LedgerError } from './errors.ts';
import type { CommitteeMember } from './model.ts';

const PERSISTENCE_PERMANENT = 0;
const PERSISTENCE_DELETABLE = 1;

export interface CertificateInput {
  readonly signature: Uint8Array;
  readonly signersBitmap: Uint8Array;
  readonly message: Uint8Array;
}

/** The body of a certified blob message: what `certify_blob_message` extracts. */
export interface CertifiedBlobMessage {
  readonly blobId: Uint8Array;
  readonly persistence: { readonly kind: 'permanent' } | { readonly kind: 'deletable'; readonly objectId: Uint8Array };
}

export interface CommitteeView {
  readonly epoch: number;
  readonly nShards: number;
  readonly members: readonly CommitteeMember[];
}

/**
 * `BlsCommittee::verify_quorum_in_epoch` followed by `certify_blob_message`
 * (`bls_aggregate.move` `verify_certificate_and_weight`, `messages.move`), in the Move order:
 * bitmap, weight, signature, then the message header and body.
 *
 * The contract subtracts the non-signers' keys from the total aggregated key; summing the
 * signers' keys gives the same point, so the signature is verified against that.
 */
export function verifyBlobCertificate(committee: CommitteeView, certificate: CertificateInput): CertifiedBlobMessage {
  let signers: number[];
  try {
    signers = bitmapToSigners(certificate.signersBitmap, committee.members.length);
  } catch (error) {
    throw new LedgerError('INVALID_SIGNERS_BITMAP', (error as Error).message);
  }
  const signerSet = new Set(signers);
  const nonSignerWeight = committee.members.reduce((sum, member, i) => (signerSet.has(i) ? sum : sum + member.weight), 0);
  const weight = committee.nShards - nonSignerWeight;
  if (!isQuorum(weight, committee.nShards)) {
    throw new LedgerError('CERTIFICATE_BELOW_QUORUM', `signers hold ${weight} of ${committee.nShards} shards; a quorum needs 3w ≥ 2n+1`, {
      weight: String(weight),
      nShards: String(committee.nShards),
    });
  }
  const signerKeys = signers.map((i) => committee.members[i].blsPublicKeyBytes);
  if (!blsVerifyAggregate(certificate.signature, certificate.message, signerKeys)) {
    throw new LedgerError('INVALID_CERTIFICATE_SIGNATURE', 'the aggregate signature does not verify against the signers in the bitmap');
  }
  return parseCertifiedBlobMessage(certificate.message, committee.epoch);
}

/** `is_quorum`: 3·w ≥ 2·n + 1. */
export function isQuorum(weight: number, nShards: number): boolean {
  return 3 * weight >= 2 * nShards + 1;
}

/**
 * `new_certified_message` then `certify_blob_message`: version, app and epoch are checked first,
 * then the intent type; trailing bytes after the persistence are ignored on purpose, as in Move.
 */
function parseCertifiedBlobMessage(message: Uint8Array, committeeEpoch: number): CertifiedBlobMessage {
  const reader = new BcsReader(message, 'certified message');
  const mismatch = (detail: string) => new LedgerError('CERTIFICATE_MISMATCH', detail);
  try {
    const intentType = reader.u8();
    if (reader.u8() !== INTENT_VERSION) throw mismatch('the message has the wrong intent version');
    if (reader.u8() !== APP_ID_STORAGE) throw mismatch('the message is not for the storage app');
    const epoch = reader.u32();
    if (epoch !== committeeEpoch) {
      throw new LedgerError('CERTIFICATE_EPOCH_MISMATCH', `the message is for epoch ${epoch}; the current epoch is ${committeeEpoch}`, {
        messageEpoch: String(epoch),
        currentEpoch: String(committeeEpoch),
      });
    }
    if (intentType !== INTENT_BLOB_CERT_MSG) throw mismatch(`intent type ${intentType} is not a blob certification`);
    const blobId = reader.fixedBytes(DIGEST_LENGTH).slice();
    const tag = reader.u8();
    if (tag === PERSISTENCE_PERMANENT) return { blobId, persistence: { kind: 'permanent' } };
    if (tag === PERSISTENCE_DELETABLE) return { blobId, persistence: { kind: 'deletable', objectId: reader.fixedBytes(OBJECT_ID_LENGTH).slice() } };
    throw mismatch(`unknown blob persistence ${tag}`);
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw mismatch((error as Error).message);
  }
}
