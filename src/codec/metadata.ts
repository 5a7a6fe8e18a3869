import { BcsReader, BcsWriter, ulebLength } from './bcs.ts';
import { deriveBlobId } from './blob-id.ts';
import { equalBytes } from './bytes.ts';
import { InvalidMetadataError } from './errors.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import { DIGEST_LENGTH, ENCODING_TYPE_RS2, EncodingParams } from './params.ts';

/** Hashes committed for one sliver pair: Merkle roots of the expanded primary and secondary slivers. */
export interface SliverPairHashes {
  readonly primary: Uint8Array;
  readonly secondary: Uint8Array;
}

/** `BlobMetadataV1`: what storage nodes keep per blob and what the blob ID commits to. */
export interface BlobMetadata {
  readonly encodingType: number;
  readonly unencodedLength: number;
  /** One entry per sliver pair (n in all). */
  readonly hashes: readonly SliverPairHashes[];
}

export interface BlobMetadataWithId {
  readonly blobId: Uint8Array;
  readonly metadata: BlobMetadata;
}

const METADATA_V1 = 0;
const NODE_EMPTY = 0;
const NODE_DIGEST = 1;
/** BCS `EncodingTypeForSerde` variant 0 (RedStuffRaptorQ) is no longer accepted. */
const LEGACY_ENCODING_TYPE = 0;

/** Bytes of the BCS `BlobMetadata` for n pairs: tag, encoding, u64 length, uleb n, n·(2 tagged digests). */
export function metadataBcsLength(nShards: number): number {
  return 1 + 1 + 8 + ulebLength(nShards) + nShards * 2 * (1 + DIGEST_LENGTH);
}

function writeMetadata(writer: BcsWriter, metadata: BlobMetadata): void {
  writer.u8(METADATA_V1).u8(metadata.encodingType).u64(metadata.unencodedLength).uleb128(metadata.hashes.length);
  for (const pair of metadata.hashes) {
    writer.u8(NODE_DIGEST).fixedBytes(pair.primary);
    writer.u8(NODE_DIGEST).fixedBytes(pair.secondary);
  }
}

/** BCS `BlobMetadata` (the body of a storage node's PUT metadata). */
export function encodeBlobMetadata(metadata: BlobMetadata): Uint8Array {
  const writer = new BcsWriter(metadataBcsLength(metadata.hashes.length));
  writeMetadata(writer, metadata);
  return writer.toBytes();
}

/** BCS `BlobMetadataWithId` (a storage node's GET metadata answer). */
export function encodeBlobMetadataWithId({ blobId, metadata }: BlobMetadataWithId): Uint8Array {
  const writer = new BcsWriter(DIGEST_LENGTH + metadataBcsLength(metadata.hashes.length));
  writer.fixedBytes(blobId);
  writeMetadata(writer, metadata);
  return writer.toBytes();
}

function readNode(reader: BcsReader): Uint8Array {
  const tag = reader.u8();
  if (tag === NODE_EMPTY) return new Uint8Array(DIGEST_LENGTH);
  if (tag !== NODE_DIGEST) reader.fail(`unknown Merkle node variant ${tag}`);
  return reader.fixedBytes(DIGEST_LENGTH).slice();
}

function readMetadata(reader: BcsReader): BlobMetadata {
  const version = reader.u8();
  if (version !== METADATA_V1) reader.fail(`unknown metadata version ${version}`);
  const encodingType = reader.u8();
  if (encodingType === LEGACY_ENCODING_TYPE || encodingType !== ENCODING_TYPE_RS2) {
    reader.fail(`unsupported encoding type ${encodingType}`);
  }
  const unencodedLength = reader.u64Number();
  const count = reader.uleb128();
  const hashes: SliverPairHashes[] = [];
  for (let i = 0; i < count; i++) hashes.push({ primary: readNode(reader), secondary: readNode(reader) });
  return { encodingType, unencodedLength, hashes };
}

export function decodeBlobMetadata(bytes: Uint8Array): BlobMetadata {
  const reader = new BcsReader(bytes, 'BlobMetadata');
  const metadata = readMetadata(reader);
  reader.end();
  return metadata;
}

export function decodeBlobMetadataWithId(bytes: Uint8Array): BlobMetadataWithId {
  const reader = new BcsReader(bytes, 'BlobMetadataWithId');
  const blobId = reader.fixedBytes(DIGEST_LENGTH).slice();
  const metadata = readMetadata(reader);
  reader.end();
  return { blobId, metadata };
}

/** Merkle root over the n pair leaves `primary_hash ‖ secondary_hash`. */
export function computeRootHash(metadata: BlobMetadata, kernel: CodecKernel): Uint8Array {
  const n = metadata.hashes.length;
  const leafInputs = new Uint8Array(n * 2 * DIGEST_LENGTH);
  metadata.hashes.forEach((pair, i) => {
    leafInputs.set(pair.primary, 2 * i * DIGEST_LENGTH);
    leafInputs.set(pair.secondary, (2 * i + 1) * DIGEST_LENGTH);
  });
  const leaves = new Uint8Array(n * DIGEST_LENGTH);
  kernel.hashPrefixed(0, leafInputs, 2 * DIGEST_LENGTH, n, leaves, 1);
  const root = new Uint8Array(DIGEST_LENGTH);
  kernel.merkleRoots(leaves, 1, n, 0, 1, root);
  return root;
}

/** The blob ID these metadata commit to. */
export function computeBlobId(metadata: BlobMetadata, kernel: CodecKernel): Uint8Array {
  return deriveBlobId(computeRootHash(metadata, kernel), metadata.unencodedLength, metadata.encodingType);
}

/**
 * Checks metadata received for `blobId` before anything in it is trusted: one hash pair per
 * shard, a length this shard count can encode, and a root that derives exactly this blob ID.
 */
export function verifyMetadata(blobId: Uint8Array, metadata: BlobMetadata, params: EncodingParams, kernel: CodecKernel): void {
  if (metadata.encodingType !== ENCODING_TYPE_RS2) {
    throw new InvalidMetadataError(`unsupported encoding type ${metadata.encodingType}`);
  }
  if (metadata.hashes.length !== params.n) {
    throw new InvalidMetadataError(`expected ${params.n} sliver pair hashes, got ${metadata.hashes.length}`);
  }
  if (metadata.unencodedLength > params.maxBlobSize) {
    throw new InvalidMetadataError(`unencoded length ${metadata.unencodedLength} exceeds the maximum ${params.maxBlobSize}`);
  }
  if (!equalBytes(computeBlobId(metadata, kernel), blobId)) {
    throw new InvalidMetadataError('the metadata do not derive the requested blob ID');
  }
}
