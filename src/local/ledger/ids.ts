import { blake2b } from '@noble/hashes/blake2.js';
import { fromBase58, toBase58 } from '@mysten/sui/utils';

/** Sui addresses, object IDs and digests are 32 bytes. */
const ID_LENGTH = 32;
const CANONICAL_ID = /^0x[0-9a-f]{64}$/;
const OBJECT_ID_DOMAIN = new TextEncoder().encode('walrus-local-ledger/object-id');

/** `0x` + 64 lowercase hex digits: the only spelling of an address or object ID the ledger accepts. */
export function isCanonicalObjectId(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_ID.test(value);
}

/** Base58 of exactly 32 bytes, as {@link transactionDigest} writes them. */
export function isTransactionDigest(value: string): boolean {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(value)) return false;
  return fromBase58(value).length === ID_LENGTH;
}

/** A transaction digest, as Sui writes them: Blake2b-256 of the signed bytes, in base58. */
export function transactionDigest(transactionBytes: Uint8Array): string {
  return toBase58(blake2b(transactionBytes, { dkLen: ID_LENGTH }));
}

/**
 * The ID of the `creationIndex`-th object a transaction creates. Like Sui's, it is derived from
 * the digest, so it is known before the transaction is applied and identical on replay.
 */
export function deriveObjectId(digest: string, creationIndex: number): string {
  const digestBytes = fromBase58(digest);
  const preimage = new Uint8Array(OBJECT_ID_DOMAIN.length + digestBytes.length + 4);
  preimage.set(OBJECT_ID_DOMAIN);
  preimage.set(digestBytes, OBJECT_ID_DOMAIN.length);
  new DataView(preimage.buffer).setUint32(OBJECT_ID_DOMAIN.length + digestBytes.length, creationIndex, true);
  return `0x${Buffer.from(blake2b(preimage, { dkLen: ID_LENGTH })).toString('hex')}`;
}
