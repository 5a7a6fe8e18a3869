/**
 * Validating decoders for the storage nodes' JSON answers (docs/protocol.md §4.3, §4.5). A node's
 * JSON is checked field by field; anything else — `null`, wrong types, extra nesting, numbers
 * that are not epochs — is a {@link MalformedAnswer}, never a value with holes in it.
 */

/** The reason an answer was refused as malformed. */
export class MalformedAnswer {
  constructor(readonly why: string) {}
}

/** The node's `BlobStatus` reduced to what readers show: lifecycle, certified and end epochs. */
export interface NodeBlobStatus {
  readonly kind: 'nonexistent' | 'invalid' | 'permanent' | 'deletable';
  readonly certifiedEpoch: number | null;
  readonly endEpoch: number | null;
  /** Permanent blobs only: whether a live permanent Blob object is certified (`isCertified`). */
  readonly isCertified?: boolean;
  /** Permanent blobs only: the event behind the reported end epoch (`alreadyCertified.event`). */
  readonly statusEvent?: { readonly txDigest: string; readonly eventSeq: string };
}

/** A storage node's signed confirmation, as sent (docs/protocol.md §4.5), not yet verified. */
export interface SignedConfirmation {
  readonly serializedMessage: Uint8Array;
  readonly signature: Uint8Array;
}

/** Epochs are u32 on chain. */
const MAX_EPOCH = 0xffff_ffff;
/** Longest a base64 signature or message can sensibly be: a BLS signature is 96 bytes, a confirmation message well under 100. */
const MAX_CONFIRMATION_FIELD_CHARS = 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** A Sui transaction digest is base58 of 32 bytes; an event sequence number a u64 in decimal. */
const TX_DIGEST = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const EVENT_SEQ = /^\d{1,20}$/;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses text as JSON, or says why not. */
export function parseJson(bytes: Uint8Array): Json | MalformedAnswer {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Json;
  } catch {
    return new MalformedAnswer('the body is not JSON');
  }
}

/** `{"success":{"code":200,"data":…}}` → data. */
function successData(json: Json): Json | MalformedAnswer {
  if (!isObject(json) || !isObject(json.success) || !('data' in json.success)) return new MalformedAnswer('not a success envelope');
  return json.success.data;
}

function epochField(value: Json | undefined, name: string, nullable: boolean): number | null | MalformedAnswer {
  if (value === null && nullable) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_EPOCH) return value;
  return new MalformedAnswer(`${name} must be an epoch${nullable ? ' or null' : ''}`);
}

function eventId(value: Json | undefined): { txDigest: string; eventSeq: string } | MalformedAnswer {
  if (!isObject(value) || typeof value.txDigest !== 'string' || typeof value.eventSeq !== 'string') return new MalformedAnswer('an event ID needs txDigest and eventSeq strings');
  if (!TX_DIGEST.test(value.txDigest) || !EVENT_SEQ.test(value.eventSeq)) return new MalformedAnswer('malformed event ID');
  return { txDigest: value.txDigest, eventSeq: value.eventSeq };
}

/** `BlobStatus` JSON, enveloped as the node sends it: `"nonexistent"` or a one-key object. */
export function decodeBlobStatus(json: Json): NodeBlobStatus | MalformedAnswer {
  const data = successData(json);
  if (data instanceof MalformedAnswer) return data;
  if (data === 'nonexistent') return { kind: 'nonexistent', certifiedEpoch: null, endEpoch: null };
  if (!isObject(data)) return new MalformedAnswer('a blob status is "nonexistent" or an object');
  const keys = Object.keys(data);
  if (keys.length !== 1) return new MalformedAnswer('a blob status object has exactly one variant');
  const [kind] = keys;
  const body = data[kind];
  if (!isObject(body)) return new MalformedAnswer(`the ${kind} status must be an object`);
  if (kind === 'invalid') {
    const event = eventId(body.event);
    return event instanceof MalformedAnswer ? event : { kind, certifiedEpoch: null, endEpoch: null };
  }
  if (kind !== 'permanent' && kind !== 'deletable') return new MalformedAnswer(`unknown blob status ${JSON.stringify(kind.slice(0, 32))}`);
  const certifiedEpoch = epochField(body.initialCertifiedEpoch ?? null, 'initialCertifiedEpoch', true);
  if (certifiedEpoch instanceof MalformedAnswer) return certifiedEpoch;
  if (kind === 'deletable') return { kind, certifiedEpoch, endEpoch: null };
  const endEpoch = epochField(body.endEpoch, 'endEpoch', false);
  if (endEpoch instanceof MalformedAnswer) return endEpoch;
  if (typeof body.isCertified !== 'boolean') return new MalformedAnswer('isCertified must be a boolean');
  const statusEvent = eventId(body.statusEvent);
  if (statusEvent instanceof MalformedAnswer) return statusEvent;
  return { kind, certifiedEpoch, endEpoch, isCertified: body.isCertified, statusEvent };
}

function base64Field(value: Json | undefined, name: string): Uint8Array | MalformedAnswer {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CONFIRMATION_FIELD_CHARS || !BASE64.test(value)) {
    return new MalformedAnswer(`${name} must be standard base64`);
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** `StorageConfirmation` JSON: `{"signed":{"serializedMessage","signature"}}` in the envelope. */
export function decodeConfirmation(json: Json): SignedConfirmation | MalformedAnswer {
  const data = successData(json);
  if (data instanceof MalformedAnswer) return data;
  if (!isObject(data) || !isObject(data.signed)) return new MalformedAnswer('not a signed confirmation');
  const serializedMessage = base64Field(data.signed.serializedMessage, 'serializedMessage');
  if (serializedMessage instanceof MalformedAnswer) return serializedMessage;
  const signature = base64Field(data.signed.signature, 'signature');
  if (signature instanceof MalformedAnswer) return signature;
  return { serializedMessage, signature };
}

/** The AIP-193 `details[0].reason` of an error body, if it is one (axum's plain-text rejections carry none). */
export function errorReason(bytes: Uint8Array): string | undefined {
  const json = parseJson(bytes);
  if (!isObject(json) || !isObject(json.error) || !Array.isArray(json.error.details)) return undefined;
  const [first] = json.error.details;
  return isObject(first) && typeof first.reason === 'string' && /^[A-Z0-9_]{1,64}$/.test(first.reason) ? first.reason : undefined;
}
