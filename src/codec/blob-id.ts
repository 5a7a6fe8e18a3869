import { blake2b } from '@noble/hashes/blake2.js';
import { InvalidBlobIdError } from './errors.ts';
import { DIGEST_LENGTH, ENCODING_TYPE_RS2 } from './params.ts';

/** Characters of a blob ID's text form: 32 bytes in unpadded base64url. */
export const BLOB_ID_TEXT_LENGTH = 43;
const BASE64URL = /^[A-Za-z0-9_-]{43}$/;

/**
 * blob_id = Blake2b-256(encoding_type ‖ unencoded_length u64 LE ‖ root_hash): the BCS of Move's
 * `BlobIdDerivation`, which `register_blob` recomputes on chain.
 */
export function deriveBlobId(rootHash: Uint8Array, unencodedLength: number, encodingType = ENCODING_TYPE_RS2): Uint8Array {
  const preimage = new Uint8Array(1 + 8 + DIGEST_LENGTH);
  preimage[0] = encodingType;
  new DataView(preimage.buffer).setBigUint64(1, BigInt(unencodedLength), true);
  preimage.set(rootHash, 9);
  return blake2b(preimage, { dkLen: DIGEST_LENGTH });
}

export function blobIdToString(blobId: Uint8Array): string {
  return Buffer.from(blobId.buffer, blobId.byteOffset, blobId.byteLength).toString('base64url');
}

/** Strictly parses the text form: exactly 43 base64url characters that decode to 32 bytes. */
export function parseBlobId(text: string): Uint8Array {
  if (!BASE64URL.test(text)) throw new InvalidBlobIdError(text);
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  // 43 characters carry 258 bits; the last character's low two bits must be zero to be canonical.
  if (bytes.length !== DIGEST_LENGTH || blobIdToString(bytes) !== text) throw new InvalidBlobIdError(text);
  return bytes;
}

/** The blob ID as Move's u256 (its 32 bytes read little-endian), as events and objects show it. */
export function blobIdToU256(blobId: Uint8Array): bigint {
  let value = 0n;
  for (let i = blobId.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(blobId[i]);
  return value;
}

/** The inverse of {@link blobIdToU256}. */
export function blobIdFromU256(value: bigint): Uint8Array {
  if (value < 0n || value >> 256n !== 0n) throw new RangeError('u256 out of range');
  const bytes = new Uint8Array(DIGEST_LENGTH);
  let v = value;
  for (let i = 0; i < DIGEST_LENGTH; i++) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytes;
}

/** The blob's shard rotation: its 32 bytes read big-endian, modulo n (Walrus `bytes_mod`). */
export function rotationOffset(blobId: Uint8Array, nShards: number): number {
  let acc = 0;
  for (const byte of blobId) acc = (acc * 256 + byte) % nShards;
  return acc;
}

/** The shard that stores sliver pair `pairIndex` of this blob. */
export function pairIndexToShard(pairIndex: number, blobId: Uint8Array, nShards: number): number {
  return (pairIndex + rotationOffset(blobId, nShards)) % nShards;
}

/** The sliver pair that shard `shard` stores for this blob. */
export function shardToPairIndex(shard: number, blobId: Uint8Array, nShards: number): number {
  return (nShards + shard - rotationOffset(blobId, nShards)) % nShards;
}

/** Index of the secondary sliver in pair `pairIndex` (pairs zip primaries with reversed secondaries). */
export function secondarySliverIndex(pairIndex: number, nShards: number): number {
  return nShards - 1 - pairIndex;
}
