import { bls12_381 } from '@noble/curves/bls12-381.js';

/**
 * BLS12-381 min_pk, as storage nodes sign with (fastcrypto): public keys in G1 (48 bytes
 * compressed, 96 uncompressed on chain), signatures in G2 (96 bytes compressed), messages hashed
 * to G2 with the standard `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_` DST and no pre-hashing.
 */
const scheme = bls12_381.longSignatures;

export const BLS_SECRET_KEY_LENGTH = 32;
export const BLS_PUBLIC_KEY_LENGTH = 48;

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
  return blsSignHashed(blsHashMessage(message), secretKey);
}

/** A message hashed to G2: half the cost of a signature and a third of a verification. */
export interface HashedMessage {
  readonly point: G2Point;
}
type G2Point = ReturnType<typeof scheme.hash>;
type G1Point = ReturnType<typeof scheme.getPublicKey>;

/**
 * Recent messages' hashes. Signers and verifiers of one message often share a process — the
 * nodes and the ledger of a local network all handle each confirmation message within
 * milliseconds — and the hash is a pure function of the bytes.
 */
const HASHED_MESSAGE_CACHE_LIMIT = 64;
const hashedMessages = new Map<string, HashedMessage>();

export function blsHashMessage(message: Uint8Array): HashedMessage {
  const key = Buffer.from(message).toString('hex');
  let hashed = hashedMessages.get(key);
  if (hashed === undefined) {
    hashed = { point: scheme.hash(message) };
    if (hashedMessages.size >= HASHED_MESSAGE_CACHE_LIMIT) hashedMessages.delete(hashedMessages.keys().next().value!);
    hashedMessages.set(key, hashed);
  }
  return hashed;
}

export function blsSignHashed(hashed: HashedMessage, secretKey: Uint8Array): Uint8Array {
  return scheme.sign(hashed.point, secretKey).toBytes(true);
}

/** A signature that decompressed to a point of the G2 subgroup. */
export interface BlsSignature {
  readonly point: G2Point;
  readonly bytes: Uint8Array;
}

/** Decompresses and subgroup-checks a signature; `null` when the bytes are not one. */
export function blsParseSignature(bytes: Uint8Array): BlsSignature | null {
  try {
    return { point: bls12_381.G2.Point.fromBytes(bytes), bytes };
  } catch (error) {
    rejectMalformed(error);
    return null;
  }
}

/**
 * Checks that every signature is by its key over `hashed` with one pairing check on the aggregates
 * (`signatures[i]` pairs with `publicKeys[i]`). A pass means all are valid as a set; a failure
 * means at least one is not, and only individual checks can tell which. A pass is exactly what a
 * certificate needs: the chain, too, checks only the aggregate.
 */
export function blsVerifyAll(signatures: readonly BlsSignature[], hashed: HashedMessage, publicKeys: readonly Uint8Array[]): boolean {
  if (signatures.length === 0 || signatures.length !== publicKeys.length) return false;
  try {
    const keys = publicKeys.map(publicKeyPoint);
    const key = keys.length === 1 ? keys[0] : scheme.aggregatePublicKeys(keys);
    const signature = signatures.length === 1 ? signatures[0].point : scheme.aggregateSignatures(signatures.map((s) => s.point));
    return scheme.verify(signature, hashed.point, key);
  } catch (error) {
    return rejectMalformed(error);
  }
}

/** The compressed aggregate of signatures already parsed. */
export function blsAggregateParsed(signatures: readonly BlsSignature[]): Uint8Array {
  if (signatures.length === 1) return signatures[0].bytes;
  return scheme.aggregateSignatures(signatures.map((s) => s.point)).toBytes(true);
}

/** Committee keys recur in every upload; decompressing one costs more than a lookup. */
const PUBLIC_KEY_CACHE_LIMIT = 4096;
const publicKeyCache = new Map<string, G1Point>();

function publicKeyPoint(bytes: Uint8Array): G1Point {
  const key = Buffer.from(bytes).toString('hex');
  let point = publicKeyCache.get(key);
  if (point === undefined) {
    point = bls12_381.G1.Point.fromBytes(bytes);
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.delete(publicKeyCache.keys().next().value!);
    publicKeyCache.set(key, point);
  }
  return point;
}

/** Verifies a signature; malformed keys or signatures verify as false rather than throwing. */
export function blsVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return scheme.verify(signature, blsHashMessage(message).point, publicKey);
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
    return scheme.verify(signature, blsHashMessage(message).point, scheme.aggregatePublicKeys(publicKeys.map(publicKeyPoint)));
  } catch (error) {
    return rejectMalformed(error);
  }
}

/** noble rejects bytes that are not a curve point by throwing; to a verifier that is just "invalid". */
function rejectMalformed(error: unknown): false {
  if (error instanceof Error) return false;
  throw error;
}
