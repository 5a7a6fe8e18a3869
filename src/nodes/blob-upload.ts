/**
 * The write fan-out (docs/protocol.md §4.2, §4.6, §6.2–§6.3): to every committee member, PUT the
 * metadata, then its shards' sliver pairs with bounded concurrency, then GET its storage
 * confirmation; check each confirmation's bytes and verify the BLS signatures in batches; stop
 * waiting once the verified signers hold a certificate quorum by shard weight (3w ≥ 2n+1), give
 * stragglers a short grace period and let them finish in the background.
 */
import { normalizeSuiObjectId } from '@mysten/sui/utils';
import type { BlobCertificate, Committee, CommitteeMember } from '../chain/chain-client.ts';
import { secondarySliverIndex, shardToPairIndex } from '../codec/blob-id.ts';
import { equalBytes } from '../codec/bytes.ts';
import { decodeConfirmation, encodeConfirmation, signersToBitmap } from '../codec/confirmation.ts';
import type { EncodedSlivers } from '../codec/encoder.ts';
import { encodeBlobMetadata } from '../codec/metadata.ts';
import { sliverBcsLength, type SliverType } from '../codec/sliver.ts';
import { blsAggregateParsed, blsHashMessage, blsParseSignature, blsVerifyAll, type BlsSignature, type HashedMessage } from '../crypto/bls.ts';
import { setTimeout as delay } from 'node:timers/promises';
import type { ReadCommittee } from './committee-view.ts';
import { isCertificateQuorum } from './committee-view.ts';
import { FanOut } from './fan-out.ts';
import { describeOutcome, quoteFailures, type NodeOutcome } from './node-outcome.ts';
import type { SignedConfirmation } from './node-responses.ts';
import type { StorageNodeClient } from './storage-node-client.ts';
import { ByteBudget, DEFAULT_UPLOAD_BYTES_IN_FLIGHT, RepairRowBarrier } from './upload-pacing.ts';

/** Sliver PUTs in flight per node (the Rust client's `max_node_connections` is 10). */
export const DEFAULT_NODE_WRITE_CONCURRENCY = 8;
/** Grace after quorum: base + factor × time to quorum, capped (the Rust SDK: 500 ms + 0.5×). */
const GRACE_BASE_MS = 200;
const GRACE_FACTOR = 0.5;
const GRACE_MAX_MS = 2_000;
/**
 * Stragglers finish their uploads after the answer (more nodes hold the blob from the start), for
 * this long at most: they hold the encoded blob, and a node that reads our PUTs slowly must not
 * keep it in memory for ever.
 */
const STRAGGLER_LIMIT_MS = 60_000;
/** Nodes may not have seen the registration yet (NOT_REGISTERED) or all slivers (MISSING_SLIVERS). */
const RETRYABLE_REASONS = new Set(['NOT_REGISTERED', 'MISSING_SLIVERS']);
const RETRY_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;

/** Too few nodes confirmed for a certificate: the write cannot be certified now. */
export class QuorumNotReachedError extends Error {
  constructor(
    readonly verifiedWeight: number,
    /** Shards whose nodes sent a confirmation at all, valid or not, verified or not. */
    readonly arrivedWeight: number,
    readonly nShards: number,
    readonly failures: readonly string[],
  ) {
    super(
      `storage confirmations arrived from nodes holding ${arrivedWeight} of ${nShards} shards, ${verifiedWeight} of them verified: short of a quorum; ${quoteFailures(failures)}`,
    );
    this.name = 'QuorumNotReachedError';
  }
}

export interface UploadRequest {
  readonly committee: ReadCommittee;
  readonly encoded: EncodedSlivers;
  /** The Blob object ID for deletable blobs (confirmations name it), `null` for permanent ones. */
  readonly deletableObjectId: string | null;
  /** The client's request: aborts the write until quorum is reached. */
  readonly signal: AbortSignal;
  /** The publisher's lifetime: stragglers keep going after the answer until this aborts. */
  readonly background: AbortSignal;
  readonly nodeConcurrency?: number;
  /** Sliver bytes in flight over all nodes; default {@link DEFAULT_UPLOAD_BYTES_IN_FLIGHT}. */
  readonly maxBytesInFlight?: number;
}

export interface UploadResult {
  readonly certificate: BlobCertificate;
  readonly signers: readonly number[];
  readonly signedWeight: number;
  /** Seconds until nodes holding a quorum of shards had all their slivers. */
  readonly uploadSeconds: number;
  /** Seconds from then until the certificate was ready (grace period included). */
  readonly confirmationSeconds: number;
}

/** Uploads to every member and resolves with a quorum certificate, or rejects with {@link QuorumNotReachedError}. */
export function uploadBlob(request: UploadRequest): Promise<UploadResult> {
  const { committee: read, encoded } = request;
  const { committee } = read;
  const expected = encodeConfirmation({
    epoch: committee.epoch,
    blobId: encoded.blobId,
    persistence: request.deletableObjectId === null ? { kind: 'permanent' } : { kind: 'deletable', objectId: objectIdBytes(request.deletableObjectId) },
  });
  const members = committee.members.filter((member) => member.weight > 0);
  const target: WriteTarget = {
    committee,
    encoded,
    metadataBcs: encodeBlobMetadata(encoded.metadata),
    deletableObjectId: request.deletableObjectId,
    concurrency: request.nodeConcurrency ?? DEFAULT_NODE_WRITE_CONCURRENCY,
    inFlight: new ByteBudget(request.maxBytesInFlight ?? DEFAULT_UPLOAD_BYTES_IN_FLIGHT),
    repairRows: new RepairRowBarrier(encoded, members.map((member) => member.index)),
  };
  // Stragglers go on after the answer, until the publisher closes.
  const fan = new FanOut<UploadResult>({ signal: request.signal, background: request.background, backgroundLimitMs: STRAGGLER_LIMIT_MS });
  const started = performance.now();
  let uploadedWeight = 0;
  let uploadDoneAt: number | undefined;
  const signatures = new SignatureCollector(expected);
  let pendingWeight = members.reduce((sum, member) => sum + member.weight, 0);
  let arrivedWeight = 0;
  const failures: string[] = [];

  const finish = () => {
    // Quorum is already verified; this only adds what arrived during the grace period.
    failures.push(...signatures.checkUnverified());
    const quorumAt = performance.now();
    const uploadEnd = uploadDoneAt ?? quorumAt;
    const { signers, signature } = signatures.aggregate();
    fan.finish({
      certificate: { signersBitmap: signersToBitmap(signers, committee.members.length), signature, message: expected },
      signers,
      signedWeight: signatures.verifiedWeight,
      uploadSeconds: (uploadEnd - started) / 1000,
      confirmationSeconds: (quorumAt - uploadEnd) / 1000,
    });
  };
  const evaluate = () => {
    // One pairing check for the whole batch, once the batch could make a quorum — a turn of the
    // event loop later, so that confirmations already on their way join it.
    if (!isCertificateQuorum(signatures.verifiedWeight, committee) && isCertificateQuorum(signatures.claimedWeight, committee)) {
      fan.schedule('verify', 0, () => {
        failures.push(...signatures.checkUnverified());
        evaluate();
      });
      return;
    }
    const quorum = isCertificateQuorum(signatures.verifiedWeight, committee);
    if (quorum && pendingWeight === 0) return finish();
    if (quorum) {
      const toQuorum = performance.now() - started;
      if (!graceStarted) fan.schedule('grace', Math.min(GRACE_MAX_MS, GRACE_BASE_MS + GRACE_FACTOR * toQuorum), finish);
      graceStarted = true;
      return;
    }
    if (!isCertificateQuorum(signatures.claimedWeight + pendingWeight, committee)) {
      fan.fail(new QuorumNotReachedError(signatures.verifiedWeight, arrivedWeight, committee.nShards, failures));
    }
  };
  let graceStarted = false;
  fan.onIdle = evaluate;
  for (const member of members) {
    const client = read.clients[member.index];
    const uploaded = () => {
      uploadedWeight += member.weight;
      if (uploadDoneAt === undefined && isCertificateQuorum(uploadedWeight, committee)) uploadDoneAt = performance.now();
    };
    fan.launch(member, (signal) => writeToNode(client, member, target, signal, uploaded), (outcome) => {
      pendingWeight -= member.weight;
      if (outcome.kind === 'ok') {
        arrivedWeight += member.weight;
        const rejected = signatures.add(member, outcome.value);
        if (rejected) {
          fan.distrust(member);
          failures.push(rejected);
        }
      } else failures.push(describeOutcome(member.name, outcome));
      evaluate();
    });
  }
  if (members.length === 0) fan.fail(new QuorumNotReachedError(0, 0, committee.nShards, ['the committee has no members']));
  // While the nodes take in slivers (the publisher mostly waits), not when their confirmations arrive.
  setImmediate(() => signatures.prepare());
  return fan.result;
}

/**
 * The confirmations received so far. Each is checked for the expected message bytes and a
 * well-formed signature on arrival; signatures are verified in batches with one pairing check
 * (a failed batch falls back to one check per signature to find the culprits).
 */
class SignatureCollector {
  private hashed: HashedMessage | undefined;
  private readonly verified = new Map<number, BlsSignature>();
  private unverified: { member: CommitteeMember; signature: BlsSignature }[] = [];
  verifiedWeight = 0;
  private unverifiedWeight = 0;

  constructor(private readonly expected: Uint8Array) {}

  /** Hashes the expected message to the curve, once. */
  prepare(): HashedMessage {
    this.hashed ??= blsHashMessage(this.expected);
    return this.hashed;
  }

  /** Verified weight plus the weight of signatures not yet verified. */
  get claimedWeight(): number {
    return this.verifiedWeight + this.unverifiedWeight;
  }

  /** Queues a confirmation for verification; a wrong message or a malformed signature is refused with the reason. */
  add(member: CommitteeMember, signed: SignedConfirmation): string | undefined {
    const wrongMessage = checkConfirmationMessage(member, signed.serializedMessage, this.expected);
    if (wrongMessage) return wrongMessage;
    const signature = blsParseSignature(signed.signature);
    if (signature === null) return invalidConfirmation(member.name, 'the signature is not a BLS12-381 G2 point');
    this.unverified.push({ member, signature });
    this.unverifiedWeight += member.weight;
    return undefined;
  }

  /** Verifies what is pending; returns one failure message per bad signature. */
  checkUnverified(): string[] {
    const batch = this.unverified;
    this.unverified = [];
    this.unverifiedWeight = 0;
    if (batch.length === 0) return [];
    const keys = (entries: typeof batch) => entries.map((entry) => entry.member.blsPublicKey);
    const hashed = this.prepare();
    if (blsVerifyAll(batch.map((entry) => entry.signature), hashed, keys(batch))) {
      for (const entry of batch) this.accept(entry);
      return [];
    }
    const failures: string[] = [];
    for (const entry of batch) {
      if (blsVerifyAll([entry.signature], hashed, keys([entry]))) this.accept(entry);
      else failures.push(invalidConfirmation(entry.member.name, 'bad BLS signature'));
    }
    return failures;
  }

  /** The verified signers in committee order and their aggregate signature. */
  aggregate(): { signers: number[]; signature: Uint8Array } {
    const signers = [...this.verified.keys()].sort((a, b) => a - b);
    return { signers, signature: blsAggregateParsed(signers.map((i) => this.verified.get(i)!)) };
  }

  private accept(entry: { member: CommitteeMember; signature: BlsSignature }): void {
    this.verified.set(entry.member.index, entry.signature);
    this.verifiedWeight += entry.member.weight;
  }
}

interface WriteTarget {
  readonly committee: Committee;
  readonly encoded: EncodedSlivers;
  readonly metadataBcs: Uint8Array;
  readonly deletableObjectId: string | null;
  readonly concurrency: number;
  readonly inFlight: ByteBudget;
  readonly repairRows: RepairRowBarrier;
}

/**
 * One node: metadata, then its slivers (bounded, repair-row chunk by chunk), then its
 * confirmation. The first outcome that is not `ok` ends this node's part and is its outcome.
 */
async function writeToNode(
  client: StorageNodeClient,
  member: CommitteeMember,
  target: WriteTarget,
  signal: AbortSignal,
  uploaded: () => void,
): Promise<NodeOutcome<SignedConfirmation>> {
  const { committee, encoded, metadataBcs, concurrency, repairRows } = target;
  const n = committee.nShards;
  const { blobId, params, symbolSize } = encoded;
  const chunks = encoded.repairRowChunks;
  const chunkOf = (pair: number) => (pair < chunks[0].start ? 0 : chunks.findIndex((chunk) => pair < chunk.end));
  const bcsBytes = { primary: sliverBcsLength(params.primarySliverSize(symbolSize)), secondary: sliverBcsLength(params.secondarySliverSize(symbolSize)) };
  // The sliver is made only once the upload's budget has room for it, and given back when the node answered.
  const put = (pair: number, type: SliverType, index: number) => async (): Promise<NodeOutcome<void>> => {
    const release = await target.inFlight.acquire(bcsBytes[type], signal);
    if (!release) return { kind: 'aborted' };
    try {
      return await client.putSliver(blobId, pair, type, await encoded.sliverBcs(type, index), signal);
    } finally {
      release();
    }
  };
  const putsByChunk = chunks.map(() => [] as (() => Promise<NodeOutcome<void>>)[]);
  for (const shard of member.shards) {
    const pair = shardToPairIndex(shard, blobId, n);
    putsByChunk[0].push(put(pair, 'secondary', secondarySliverIndex(pair, n)));
    putsByChunk[chunkOf(pair)].push(put(pair, 'primary', pair));
  }
  try {
    const stored = await withRetries(() => client.putMetadata(blobId, metadataBcs, signal), signal);
    if (stored.kind !== 'ok') return stored;
    for (const [chunk, puts] of putsByChunk.entries()) {
      await repairRows.reach(chunk);
      const sent = await runBounded(puts, concurrency);
      if (sent.kind !== 'ok') return sent;
      repairRows.finish(member.index, chunk);
    }
  } finally {
    repairRows.leave(member.index);
  }
  uploaded();
  return withRetries(() => client.getConfirmation(blobId, target.deletableObjectId, signal), signal);
}

/** Runs calls with at most `limit` at a time; the first outcome that is not `ok` stops the rest from starting and is returned. */
async function runBounded(calls: readonly (() => Promise<NodeOutcome<void>>)[], limit: number): Promise<NodeOutcome<void>> {
  let next = 0;
  let failed: NodeOutcome<void> | undefined;
  const worker = async () => {
    while (next < calls.length && failed === undefined) {
      const outcome = await calls[next++]();
      if (outcome.kind !== 'ok') failed ??= outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, calls.length) }, worker));
  return failed ?? { kind: 'ok', value: undefined };
}

/** Retries a refusal that says the node is only behind (not yet registered, slivers still arriving). */
async function withRetries<T>(call: () => Promise<NodeOutcome<T>>, signal: AbortSignal): Promise<NodeOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await call();
    const retryable = outcome.kind === 'refused' && outcome.reason !== undefined && RETRYABLE_REASONS.has(outcome.reason);
    if (!retryable || attempt >= RETRY_ATTEMPTS || signal.aborted) return outcome;
    await delay(RETRY_DELAY_MS * attempt, undefined, { signal }).catch(() => undefined);
  }
}

function invalidConfirmation(node: string, why: string): string {
  return `${node}: invalid storage confirmation: ${why}`;
}

/** The node must sign exactly the message we expect: this epoch, this blob, this persistence. */
function checkConfirmationMessage(member: CommitteeMember, message: Uint8Array, expected: Uint8Array): string | undefined {
  if (equalBytes(message, expected)) return undefined;
  let parsed;
  try {
    parsed = decodeConfirmation(message);
  } catch (error) {
    return invalidConfirmation(member.name, `unparsable message: ${error instanceof Error ? error.message : String(error)}`);
  }
  return invalidConfirmation(member.name, `signed epoch ${parsed.epoch} / ${parsed.persistence.kind} message differs from the expected one`);
}

function objectIdBytes(objectId: string): Uint8Array {
  return new Uint8Array(Buffer.from(normalizeSuiObjectId(objectId).slice(2), 'hex'));
}
