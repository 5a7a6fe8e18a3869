/**
 * Faults a test can switch on per node, to see how a client copes with a byzantine or slow node.
 */
export interface NodeFaults {
  /** GET sliver answers well-formed SliverData whose symbols fail verification. */
  readonly corruptSlivers: boolean;
  /** GET metadata answers well-formed metadata that no longer derives the blob ID. */
  readonly corruptMetadata: boolean;
  /** Every request waits this long before it is handled. */
  readonly latencyMs: number;
  /**
   * Confirmation requests are never answered: the node holds the request open until the client
   * gives up or the node stops. That is what a slow or byzantine node looks like to a writer (an
   * error would let it move on at once), so it exercises the writer's timeouts.
   */
  readonly withholdConfirmations: boolean;
  /** Confirmations carry the right message signed with a key that is not the node's. */
  readonly invalidConfirmationSignatures: boolean;
}

export const NO_FAULTS: NodeFaults = {
  corruptSlivers: false,
  corruptMetadata: false,
  latencyMs: 0,
  withholdConfirmations: false,
  invalidConfirmationSignatures: false,
};

/** Validates a partial update (latency must be a non-negative finite number) and merges it. */
export function mergeFaults(current: NodeFaults, update: Partial<NodeFaults>): NodeFaults {
  const merged = { ...current, ...update };
  if (!Number.isFinite(merged.latencyMs) || merged.latencyMs < 0) {
    throw new RangeError(`latencyMs must be a non-negative number, got ${merged.latencyMs}`);
  }
  return merged;
}

/** Bytes at the end of BCS SliverData that are not symbol data: symbol_size u16 and index u16. */
const SLIVER_TRAILER_BYTES = 4;
const FLIP = 0xff;

/**
 * Flips the last data byte of a BCS SliverData: still parses, same length and index, but its
 * expanded Merkle root no longer matches the metadata.
 */
export function corruptSliverBcs(bcs: Uint8Array): Uint8Array {
  const corrupted = bcs.slice();
  const lastDataByte = corrupted.length - SLIVER_TRAILER_BYTES - 1;
  if (lastDataByte >= 0) corrupted[lastDataByte] ^= FLIP;
  return corrupted;
}

/**
 * Flips the last byte of BCS BlobMetadataWithId, which is inside the last pair's secondary hash:
 * still parses, but the hashes no longer derive the blob ID.
 */
export function corruptMetadataBcs(bcs: Uint8Array): Uint8Array {
  const corrupted = bcs.slice();
  if (corrupted.length > 0) corrupted[corrupted.length - 1] ^= FLIP;
  return corrupted;
}
