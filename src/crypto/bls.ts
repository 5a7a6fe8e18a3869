import { bls12_381 } from '@noble/curves/bls12-381.js';

/**
 * BLS12-381 min_pk, as storage nodes sign with (fastcrypto): public keys in G1 (48 bytes
 * compressed, 96 uncompressed on chain), signatures in G2 (96 bytes compressed), messages hashed
 * to G2 with the standard `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_` DST and no pre-hashing.
 */
const scheme = bls12_381.longSignatures;

export const BLS_SECRET_KEY_LENGTH = 32;
export const BLS_PUBLIC_KEY_LENGTH = 48;
export const BLS_SIGNATURE_LENGTH = 96;

export interface BlsKeyPair {
  readonly secretKey: Uint8Array;
  /** Compressed G1 point. */
  readonly publicKey: Uint8Array;
}

export function generateBlsKeyPair(): BlsKeyPair {
  return blsKeyPairFromSecret(bls12_381.utils.randomSecretKey());
}

export function blsKeyPairFromSecret(secretKey: Uint8Array): BlsKeyPair {
  if (secretKey.length !== BLS_SECRET_KEY_LENGTH) throw new RangeError('a BLS secret key has 32 bytes');
  return { secretKey, publicKey: scheme.getPublicKey(secretKey).toBytes(true) };
}

/** The 96-byte uncompressed form of a public key, as `BlsCommitteeMember.public_key` stores it. */
export function uncompressedPublicKey(publicKey: Uint8Array): Uint8Array {
  return bls12_381.G1.Point.fromBytes(publicKey).toBytes(false);
}

export function blsSign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return scheme.sign(scheme.hash(message), secretKey).toBytes(true);
}

/** Verifies a signature; malformed keys or signatures verify as false rather than throwing. */
export function blsVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return scheme.verify(signature, scheme.hash(message), publicKey);
  } catch (error) {
    return rejectMalformed(error);
  }
}

/** Aggregates signatures over one message into one 96-byte signature. */
export function blsAggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array {
  return scheme.aggregateSignatures([...signatures]).toBytes(true);
}

/** Verifies an aggregate signature of `publicKeys` over one message. */
export function blsVerifyAggregate(signature: Uint8Array, message: Uint8Array, publicKeys: readonly Uint8Array[]): boolean {
  if (publicKeys.length === 0) return false;
  try {
    return scheme.verify(signature, scheme.hash(message), scheme.aggregatePublicKeys([...publicKeys]));
  } catch (error) {
    return rejectMalformed(error);
  }
}

/** noble rejects bytes that are not a curve point by throwing; to a verifier that is just "invalid". */
function rejectMalformed(error: unknown): false {
  if (error instanceof Error) return false;
  throw error;
}
