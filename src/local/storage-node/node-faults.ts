/**
 * The misbehaviours of a hostile node, by the names the control server takes; `hostile-responses.ts`
 * says what each puts on the wire.
 */
export const HOSTILE_KINDS = [
  'malformedJson',
  'null',
  'wrongTypes',
  'garbageData',
  'htmlError',
  'randomBytes',
  'truncated',
  'oversized',
  'reset',
  'slowDrip',
  'wrongStatus',
  'redirect',
  'noContent',
] as const;

export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** What a `hostileKinds` value must be, for error messages. */
export const HOSTILE_KINDS_RULE = `a non-empty array of distinct kinds from: ${HOSTILE_KINDS.join(', ')}`;

const KNOWN_KINDS: ReadonlySet<string> = new Set(HOSTILE_KINDS);

/** True for a usable `hostileKinds`: non-empty (a hostile node must have something to do), known, no repeats. */
export function isHostileKindList(value: unknown): value is readonly HostileKind[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((kind) => typeof kind === 'string' && KNOWN_KINDS.has(kind)) &&
    new Set(value).size === value.length
  );
}

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
  /**
   * Every request, whatever its route, is answered with one misbehaviour picked at random from
   * `hostileKinds`: broken HTTP, broken JSON, lies and stalls, where the faults above stay well-formed.
   */
  readonly hostile: boolean;
  /** What `hostile` picks from: every kind unless narrowed (a single kind makes a test deterministic). */
  readonly hostileKinds: readonly HostileKind[];
}

export const NO_FAULTS: NodeFaults = {
  corruptSlivers: false,
  corruptMetadata: false,
  latencyMs: 0,
  withholdConfirmations: false,
  invalidConfirmationSignatures: false,
  hostile: false,
  hostileKinds: HOSTILE_KINDS,
};

/**
 * Validates a partial update (latency a non-negative finite number, `hostileKinds` as
 * `HOSTILE_KINDS_RULE` says) and merges it.
 */
export function mergeFaults(current: NodeFaults, update: Partial<NodeFaults>): NodeFaults {
  const merged = { ...current, ...update };
  if (!Number.isFinite(merged.latencyMs) || merged.latencyMs < 0) {
    throw new RangeError(`latencyMs must be a non-negative number, got ${merged.latencyMs}`);
  }
  if (!isHostileKindList(merged.hostileKinds)) {
    throw new RangeError(`hostileKinds must be ${HOSTILE_KINDS_RULE}, got ${JSON.stringify(merged.hostileKinds)}`);
  }
  // A copy, so a caller that later mutates its array does not change the node's faults behind its back.
  return { ...merged, hostileKinds: [...merged.hostileKinds] };
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
